# syntax=docker/dockerfile:1
# The one Pictograph image: docker-compose.yml runs it as `migrate`, `web` and `worker`,
# which differ only in working directory and command. It runs as the unprivileged `node`
# user and holds no secret: all configuration arrives through the environment at run time
# (.dockerignore keeps .env files and local data out of the build context).
#
# The runtime stage holds build output only, no workspace and no TypeScript:
# - apps/web/.next/standalone: the UI's server files and the node_modules `next build` traced
#   for them (Next, React, sharp), laid out as in the repository;
# - apps/web/dist/server.mjs: our own server (the API plus Next's request handler; see
#   apps/web/src/server/main.ts for why it is not Next's standalone server.js) and
#   dist/admin.mjs, bundled with everything but Next (apps/web/tsdown.config.ts);
# - apps/worker/dist/main.mjs and migrate.mjs, bundled whole (apps/worker/tsdown.config.ts).
# PGlite's WebAssembly and data files sit beside each bundle. docs/self-hosting.md has more.

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV CI=true NEXT_TELEMETRY_DISABLED=1
RUN npm install --global --save-exact pnpm@12.4.2
WORKDIR /app

# Every package the lockfile names, into pnpm's store; rebuilt only when the lockfile changes.
FROM base AS deps
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch

# The whole workspace, then the web app's and the worker's builds (their package.json
# "build" scripts). tooling/self-hosting runs these same RUN lines before its compose test.
FROM deps AS build
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm turbo run build --filter=@pictograph/web --filter=@pictograph/worker

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PICTOGRAPH_DATA_DIR=/var/lib/pictograph
WORKDIR /app
COPY --from=build /app/apps/web/.next/standalone ./
COPY --from=build /app/apps/web/.next/static apps/web/.next/static
COPY --from=build /app/apps/web/dist apps/web/dist
COPY --from=build /app/apps/worker/dist apps/worker/dist
# Next's own server.js would serve the UI without the API: not an entry point here. The code
# stays root-owned and read-only to the app; only the data and Next's cache are writable.
RUN rm apps/web/server.js \
 && mkdir -p /var/lib/pictograph /app/apps/web/.next/cache \
 && chown node:node /var/lib/pictograph /app/apps/web/.next/cache
USER node
WORKDIR /app/apps/web
# 3000: web (API and UI, GET /api/health). 3001: a worker's GET /health.
EXPOSE 3000 3001
# For `docker run` of the image alone; docker-compose.yml sets each service's own.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.mjs"]
