// The exports contract (DESIGN.md) through the API handler, with the workers' builds: create
// refuses what it must (404, 409 even when 20 creates race, 422 listing the valid values), and
// a completed export's signed download is fresh on every call, valid 60 minutes, refused when
// tampered (403) or expired (410), served whole or by Range with the right headers, and cut
// off mid-stream when the export is deleted.
import { executeSqlText, getExportById } from "@pictograph/db";
import { testBackends } from "@pictograph/db/testing";
import { stubImageBytes } from "@pictograph/formats/testing";
import { FORMATS, STATUS_FILTERS } from "@pictograph/schema";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { listKeys } from "../../../packages/exporter/test/fixture-dataset";
import { openExportsApi, type ExportsApi } from "../test/exports-api";

type ExportBody = {
  id: string;
  name: string;
  status: string;
  download_url: string | null;
  size_bytes: number | null;
};
type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };
type DownloadBody = { url: string; expires_at: string; size_bytes: number };

const MINUTE = 60_000;
// 1 MB of incompressible bytes after each fixture image: a ZIP of about 5 MB, much more than
// any buffer between the store and the reader.
const bigImage = (image: Parameters<typeof stubImageBytes>[0]) =>
  Buffer.concat([stubImageBytes(image), randomBytes(1_000_000)]);

describe.each(testBackends(process.env.TEST_DATABASE_URL))(
  "the exports contract on $name",
  (backend) => {
    let t: ExportsApi;

    beforeAll(async () => {
      t = await openExportsApi(backend, { bytesFor: bigImage });
    });
    afterAll(async () => {
      await t?.close();
    });
    afterEach(() => {
      expect(t.internalErrors).toEqual([]);
    });

    const create = (
      name: string,
      options: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ) =>
      t.call("POST", `/datasets/${t.dataset.name}/exports`, {
        json: { name, status_filter: "all", ...options },
        headers,
      });

    async function completedExport(name: string): Promise<ExportBody> {
      const response = await create(name, { format: "yolo" });
      expect(response.status).toBe(202);
      const created = (await response.json()) as ExportBody;
      await t.build(created.id);
      return (await (
        await t.call("GET", `/datasets/${t.dataset.name}/exports/${name}`)
      ).json()) as ExportBody;
    }

    async function downloadLink(name: string): Promise<DownloadBody> {
      const response = await t.call("GET", `/datasets/${t.dataset.name}/exports/${name}/download`);
      expect(response.status).toBe(200);
      return (await response.json()) as DownloadBody;
    }

    describe("create", () => {
      it("lets exactly one of 20 racing creates of one name through; the others get 409", async () => {
        const responses = await Promise.all(
          Array.from({ length: 20 }, () => create("raced", { format: "coco" })),
        );
        const statuses = responses.map((r) => r.status).sort();
        expect(statuses).toEqual([202, ...Array<number>(19).fill(409)]);
        for (const response of responses.filter((r) => r.status === 409)) {
          const body = (await response.json()) as ErrorBody;
          expect(body.error.code).toBe("conflict");
          expect(body.error.message).toContain('"raced"');
        }
        const winner = (await responses.find((r) => r.status === 202)!.json()) as ExportBody;
        // One row, one queued build.
        const { rows } = await executeSqlText(
          t.handle.db,
          "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'export.build' AND data->>'exportId' = $1",
          [winner.id],
        );
        expect(Number(rows[0]!.n)).toBe(1);
        expect(await getExportById(t.handle.db, { exportId: winner.id })).toMatchObject({
          name: "raced",
          status: "pending",
        });
      });

      it("answers 20 racing creates with one Idempotency-Key with the same export", async () => {
        const responses = await Promise.all(
          Array.from({ length: 20 }, () =>
            create("once", { format: "csv" }, { "idempotency-key": "create-once-1" }),
          ),
        );
        const bodies = (await Promise.all(responses.map((r) => r.json()))) as ExportBody[];
        expect(responses.map((r) => r.status)).toEqual(responses.map(() => 202));
        expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
      });

      it("refuses an unknown format, status filter or class with 422 listing the valid values", async () => {
        const format = (await (
          await create("bad-format", { format: "tfrecord" })
        ).json()) as ErrorBody;
        expect(format.error.code).toBe("validation_error");
        for (const valid of FORMATS) expect(format.error.message).toContain(valid);

        const status = await create("bad-status", { status_filter: "reviewed" });
        expect(status.status).toBe(422);
        const statusBody = (await status.json()) as ErrorBody;
        for (const valid of STATUS_FILTERS) expect(statusBody.error.message).toContain(valid);

        const cls = await create("bad-class", { class_filter: ["car", "truck"] });
        expect(cls.status).toBe(422);
        const clsBody = (await cls.json()) as ErrorBody;
        expect(clsBody.error.message).toContain('"truck"');
        expect(clsBody.error.message).toContain('"person"');
        expect(clsBody.error.details).toMatchObject({ unknown_classes: ["truck"] });
        // Nothing was created for any of them.
        for (const name of ["bad-format", "bad-status", "bad-class"])
          expect((await t.call("GET", `/datasets/${t.dataset.name}/exports/${name}`)).status).toBe(
            404,
          );
      });

      it("answers 404 for a missing dataset", async () => {
        const response = await t.call("POST", "/datasets/no-such-dataset/exports", {
          json: { name: "x" },
        });
        expect(response.status).toBe(404);
        expect(((await response.json()) as ErrorBody).error.code).toBe("not_found");
        expect((await t.call("GET", "/datasets/no-such-dataset/exports/x")).status).toBe(404);
      });

      it("answers 409 to a download of an export that is not completed yet", async () => {
        expect((await create("not-yet")).status).toBe(202);
        const response = await t.call(
          "GET",
          `/datasets/${t.dataset.name}/exports/not-yet/download`,
        );
        expect(response.status).toBe(409);
      });
    });

    describe("download", () => {
      let exp: ExportBody;
      let row: NonNullable<Awaited<ReturnType<typeof getExportById>>>;

      beforeAll(async () => {
        t.clock.now = new Date("2026-03-01T12:00:00.000Z");
        exp = await completedExport("for-download");
        row = (await getExportById(t.handle.db, { exportId: exp.id }))!;
      });

      it("gives a fresh URL on every call, valid 60 minutes", async () => {
        const first = await downloadLink("for-download");
        t.clock.now = new Date(t.clock.now.getTime() + 1_000);
        const second = await downloadLink("for-download");
        expect(second.url).not.toBe(first.url);
        expect(new Date(second.expires_at).getTime() - t.clock.now.getTime()).toBe(60 * MINUTE);
        expect(second.size_bytes).toBe(row.sizeBytes);
        // Both work, without any API key.
        for (const link of [first, second]) expect((await t.fetchUrl(link.url)).status).toBe(200);
      });

      it("serves the whole ZIP with Content-Length, Content-Type and Content-Disposition", async () => {
        const { url } = await downloadLink("for-download");
        const response = await t.fetchUrl(url);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-length")).toBe(String(row.sizeBytes));
        expect(response.headers.get("content-type")).toBe("application/zip");
        expect(response.headers.get("content-disposition")).toMatch(
          /^attachment; filename="streets-for-download-yolo\.zip"/,
        );
        expect(response.headers.get("accept-ranges")).toBe("bytes");
        const bytes = Buffer.from(await response.arrayBuffer());
        expect(bytes.length).toBe(row.sizeBytes);
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(row.sha256);
      });

      it("serves byte ranges with 206 and Content-Range, and refuses one past the end with 416", async () => {
        const { url } = await downloadLink("for-download");
        const whole = Buffer.from(await (await t.fetchUrl(url)).arrayBuffer());
        const size = row.sizeBytes!;
        const cases: Array<[string, number, number]> = [
          ["bytes=0-99", 0, 99],
          [`bytes=${size - 10}-`, size - 10, size - 1],
          ["bytes=-22", size - 22, size - 1], // the end-of-central-directory record
        ];
        for (const [range, start, end] of cases) {
          const response = await t.fetchUrl(url, { range });
          expect(response.status, range).toBe(206);
          expect(response.headers.get("content-range"), range).toBe(
            `bytes ${start}-${end}/${size}`,
          );
          expect(response.headers.get("content-length"), range).toBe(String(end - start + 1));
          expect(
            Buffer.from(await response.arrayBuffer()).equals(whole.subarray(start, end + 1)),
            range,
          ).toBe(true);
        }
        const past = await t.fetchUrl(url, { range: `bytes=${size}-` });
        expect(past.status).toBe(416);
        expect(past.headers.get("content-range")).toBe(`bytes */${size}`);
      });

      it("refuses a tampered link with 403", async () => {
        const { url } = await downloadLink("for-download");
        const link = new URL(url);
        const signature = link.searchParams.get("signature")!;
        const flipped = new URL(link);
        flipped.searchParams.set(
          "signature",
          `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`,
        );
        const longer = new URL(link);
        longer.searchParams.set(
          "expires",
          String(Number(link.searchParams.get("expires")) + 86_400),
        );
        const unsigned = new URL(link);
        unsigned.searchParams.delete("signature");
        const other = await completedExport("other-for-tamper");
        const otherId = new URL(link);
        otherId.pathname = otherId.pathname.replace(exp.id, other.id);
        for (const tampered of [flipped, longer, unsigned, otherId]) {
          const response = await t.fetchUrl(tampered.toString());
          expect(response.status, tampered.toString()).toBe(403);
          expect(((await response.json()) as ErrorBody).error.code).toBe("forbidden");
        }
      });

      it("refuses a link with 410 once its 60 minutes are over", async () => {
        const issuedAt = t.clock.now;
        const { url } = await downloadLink("for-download");
        t.clock.now = new Date(issuedAt.getTime() + 59 * MINUTE);
        expect((await t.fetchUrl(url)).status).toBe(200);
        t.clock.now = new Date(issuedAt.getTime() + 61 * MINUTE);
        const response = await t.fetchUrl(url);
        expect(response.status).toBe(410);
        expect(((await response.json()) as ErrorBody).error.code).toBe("gone");
        // A new link works again.
        expect((await t.fetchUrl((await downloadLink("for-download")).url)).status).toBe(200);
      });

      it("cuts off a download in flight when the export is deleted: it never ends as if complete", async () => {
        const doomed = await completedExport("deleted-while-downloading");
        const { url, size_bytes } = await downloadLink("deleted-while-downloading");
        const response = await t.fetchUrl(url);
        expect(response.status).toBe(200);
        const reader = response.body!.getReader();
        let received = (await reader.read()).value!.byteLength;

        expect(
          (await t.call("DELETE", `/datasets/${t.dataset.name}/exports/deleted-while-downloading`))
            .status,
        ).toBe(204);
        await new Promise((resolve) => setTimeout(resolve, 1_500)); // the download checks once a second
        const ending = (async () => {
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) return "ended";
            received += chunk.value.byteLength;
          }
        })();
        await expect(ending).rejects.toThrow(/deleted/);
        expect(received).toBeLessThan(size_bytes);
        // The link, the export and its ZIP are gone.
        expect((await t.fetchUrl(url)).status).toBe(404);
        expect(
          (await t.call("GET", `/datasets/${t.dataset.name}/exports/deleted-while-downloading`))
            .status,
        ).toBe(404);
        expect(await listKeys(t.storage, `exports/${doomed.id}/`)).toEqual([]);
      });
    });
  },
);
