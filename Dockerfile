# syntax=docker/dockerfile:1
# The one Pictograph image: docker-compose.yml runs it as `migrate`, `web` and `worker`,
# which differ only in working directory and command. It runs as the unprivileged `node`
# user and holds no secret: all configuration arrives through the environment at run time
# (.dockerignore keeps .env files and local data out of the build context).
#
# Why the server and worker run TypeScript through tsx rather than a bundle or Next.js's
# standalone output: the web process is our own Node server (apps/web/src/server/main.ts:
# the API plus Next's request handler), not `next start`, and the internal packages are
# TypeScript source with no build step. Standalone output would trace only what Next's
# own server needs, and no bundler is a dependency of apps/web or apps/worker. So the image
# keeps the workspace's own node_modules, pruned to what web and worker depend on, and
# runs `node --import tsx` exactly as `pnpm start` does. docs/self-hosting.md has more.

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV CI=true NEXT_TELEMETRY_DISABLED=1
RUN npm install --global --save-exact pnpm@12.4.2
WORKDIR /app

# Every package the lockfile names, into pnpm's store; rebuilt only when the lockfile changes.
FROM base AS deps
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch

# The whole workspace, so `next build` sees every package; then the web UI's production build.
FROM deps AS build
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm --filter @pictograph/web build

# Only web's and worker's dependency graphs. Dev dependencies stay: tsx is one of them.
FROM deps AS prune
COPY . .
COPY --from=build /app/apps/web/.next apps/web/.next
# (pnpm fetch left every package's node_modules behind: start from none.)
RUN rm -rf node_modules apps/web/.next/cache \
 && pnpm install --offline --frozen-lockfile --filter "@pictograph/web..." --filter "@pictograph/worker..."

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PICTOGRAPH_DATA_DIR=/var/lib/pictograph
COPY --from=prune /app /app
# The code stays root-owned and read-only to the app; only these two are writable.
RUN mkdir -p /var/lib/pictograph /app/apps/web/.next/cache \
 && chown node:node /var/lib/pictograph /app/apps/web/.next/cache
USER node
WORKDIR /app/apps/web
# 3000: web (API and UI, GET /api/health). 3001: a worker's GET /health.
EXPOSE 3000 3001
CMD ["node", "--import", "tsx", "src/server/main.ts"]
