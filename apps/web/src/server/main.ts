// The Pictograph web process: one HTTP server for the API (/api/...) and the Next.js UI.
// In embedded mode it also holds the database and runs the workers (see runtime.ts).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { parseEnv, applyNextBuildConfig } from "../env";
import { answerClientError, sendWebResponse, toWebRequest } from "./node-http";
import { getRuntime } from "./runtime";
import { SERVER_FILE } from "./server-file";

const env = parseEnv();
const dev = process.argv.includes("--dev");
// apps/web: two levels above src/server/main.ts (tsx), one above dist/server.mjs (the bundle).
const webRoot = fileURLToPath(
  new URL(import.meta.url.endsWith(".ts") ? "../.." : "..", import.meta.url),
);

const runtime = await getRuntime();
const handleUi = env.serveUi ? await startUi() : null;

async function startUi() {
  // A production build runs with the configuration `next build` resolved, as Next's own
  // standalone server.js does: next.config.ts is not in the image, nor the compiler to load it.
  const builtConfig = join(webRoot, ".next", "required-server-files.json");
  if (!dev && existsSync(builtConfig))
    applyNextBuildConfig(
      (JSON.parse(readFileSync(builtConfig, "utf8")) as { config: object }).config,
    );
  const ui = next({ dev, dir: webRoot, hostname: env.HOST, port: env.PORT });
  await ui.prepare();
  return ui.getRequestHandler();
}

const server = createServer((req, res) => {
  const path = req.url ?? "/";
  if (!path.startsWith("/api/")) {
    if (handleUi) void handleUi(req, res);
    else
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end("this server runs the API only (PICTOGRAPH_UI=false)\n");
    return;
  }
  // A fixed base, never the Host header: a Host that is not a valid host ("a b") made
  // new URL() throw here, outside any handler, and took the whole server down. The API reads
  // the Host header itself where it needs the client's origin (requestOrigin).
  const request = toWebRequest(req, `http://localhost:${env.PORT}`);
  const respond = path.startsWith("/api/trpc/")
    ? runtime.api.handleTrpc(request)
    : path === "/api/health" || path.startsWith("/api/health?")
      ? runtime.healthResponse()
      : runtime.api.handleRest(request);
  respond.then(
    (response) => sendWebResponse(response, res, req.method ?? "GET"),
    (error: unknown) => {
      console.error("[pictograph] request failed", error);
      res.destroy();
    },
  );
});

server.on("clientError", answerClientError);

const serverFile = join(env.dataDir, SERVER_FILE);
server.listen(env.PORT, env.HOST, () => {
  const url = `http://${env.HOST === "0.0.0.0" ? "localhost" : env.HOST}:${env.PORT}`;
  if (env.embedded)
    writeFileSync(serverFile, JSON.stringify({ url, pid: process.pid }), { mode: 0o600 });
  console.log(`[pictograph] ready on ${url}`);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[pictograph] ${signal}: finishing running work, then stopping`);
  server.close();
  if (env.embedded) rmSync(serverFile, { force: true });
  await runtime.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
