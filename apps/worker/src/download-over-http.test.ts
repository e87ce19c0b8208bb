// Deleting an export while it is being downloaded, over real HTTP from the real server process
// (embedded mode, its own worker): the client sees the download break off, never a clean end
// of a partial ZIP. The export is far larger than any socket buffer, and the client reads
// slowly, so the deletion happens with most of the ZIP still unsent.
import { pngBytes } from "@pictograph/formats/testing";
import { randomBytes } from "node:crypto";
import { get, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../tooling/test-server/src/index";
import { waitFor } from "../../../packages/exporter/test/wait-for";

const IMAGES = 4;
const IMAGE_BYTES = 8 * 1024 * 1024;

describe("a download over HTTP", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1${path}`, {
      ...init,
      headers: { "x-api-key": server.apiKey, ...(init.headers as Record<string, string>) },
    });

  it("breaks off when the export is deleted mid-download", async () => {
    // Large images in the demo dataset: a PNG header followed by incompressible bytes.
    for (let i = 0; i < IMAGES; i++) {
      const body = Buffer.concat([pngBytes(320, 240), randomBytes(IMAGE_BYTES)]);
      const response = await api(`/datasets/demo/images/large/${i}.png?status=complete`, {
        method: "PUT",
        body,
      });
      expect(response.status, await response.clone().text()).toBe(201);
    }
    const created = await api("/datasets/demo/exports", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "cut-off",
        format: "pictograph",
        include_images: true,
        status_filter: "all",
      }),
    });
    expect(created.status).toBe(202);
    await waitFor(
      "the export to complete",
      async () => {
        const body = (await (await api("/datasets/demo/exports/cut-off")).json()) as {
          status: string;
        };
        if (body.status === "failed") throw new Error(JSON.stringify(body));
        return body.status === "completed";
      },
      90_000,
    );
    const { url, size_bytes } = (await (
      await api("/datasets/demo/exports/cut-off/download")
    ).json()) as { url: string; size_bytes: number };
    expect(size_bytes).toBeGreaterThan(IMAGES * IMAGE_BYTES);

    // Undisturbed, the same link downloads the whole ZIP.
    expect((await (await fetch(url)).arrayBuffer()).byteLength).toBe(size_bytes);

    // Read the first chunk, then stop reading: the server fills the socket buffers and waits.
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      get(url, resolve).once("error", reject),
    );
    expect(response.statusCode).toBe(200);
    expect(Number(response.headers["content-length"])).toBe(size_bytes);
    let received = 0;
    const outcome = new Promise<string>((resolve) => {
      response.on("data", (chunk: Buffer) => (received += chunk.length));
      response.once("end", () => resolve(response.complete ? "complete" : "incomplete"));
      response.once("error", (error) => resolve(`error: ${error.message}`));
      response.once("close", () => resolve(response.complete ? "complete" : "incomplete"));
    });
    await new Promise((resolve) => response.once("data", resolve));
    response.pause();

    expect((await api("/datasets/demo/exports/cut-off", { method: "DELETE" })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the server checks once a second
    response.resume();

    const ended = await outcome;
    expect(ended).not.toBe("complete");
    expect(received).toBeLessThan(size_bytes);
    expect(response.complete).toBe(false);
    // The link is dead now.
    expect((await fetch(url)).status).toBe(404);
  });
});
