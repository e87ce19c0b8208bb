// Hostile ZIPs through the real import route of a real server (embedded mode): zip-slip and
// absolute names, symlinks, ZIP bombs (by ratio and by a lying size), XML entity expansion
// (billion laughs, an external entity), a 10 MB single-line COCO JSON and 100,000 tiny
// entries. Each import must end with a status and a report that say what was refused and
// why, nothing may be written outside the server's own places, and the server's memory (its
// whole process tree) must stay bounded while it reads them.
import { pngBytes } from "@pictograph/formats/testing";
import { ImportSchema, type Import } from "@pictograph/schema";
import { REPO_ROOT, startTestServer, type TestServer } from "@pictograph/test-server";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FULL } from "./env";
import { recordFigures } from "./figures";
import { writeHostileZip, zeros, type HostileMember } from "./hostile-archives";
import { sampleTreeMemory, treeMemory } from "./process-memory";
import { closeRawConnections, sendRaw } from "./raw-http";

const MB = 1024 * 1024;
/** What one bomb member inflates to. */
const BOMB_BYTES = (FULL ? 1024 : 200) * MB;
const TINY_ENTRIES = FULL ? 300_000 : 100_000;
/**
 * The most the server's resident memory may grow while it reads one hostile archive. Below
 * the size of one bomb member: a reader that inflated a bomb into memory, or held a listing
 * of 100,000 entries as objects per entry, fails it.
 */
const MAX_GROWTH = 128 * MB;
/** The 10 MB JSON's 20,000 annotations are real work (read, grouped per image, written in
 * batches): measured 50-170 MB, before and after the COCO reader began streaming. */
const MAX_GROWTH_10MB_JSON = 384 * MB;

type Case = {
  name: string;
  format: string;
  members: () => Iterable<HostileMember>;
  maxGrowth?: number;
  check(result: Import, text: string): void;
};

const unique = `zip-slip-${randomUUID()}`;
const cocoFile = "annotations/instances_default.json";
const png = pngBytes(16, 16);

function coco(files: string[], perImage = 1, points = 4): string {
  return JSON.stringify({
    images: files.map((file_name, i) => ({ id: i + 1, file_name, width: 16, height: 16 })),
    annotations: files.flatMap((_, i) =>
      Array.from({ length: perImage }, (_, k) => ({
        id: i * perImage + k + 1,
        image_id: i + 1,
        category_id: 1,
        bbox: [1, 1, 4, 4],
        area: 16,
        iscrowd: 0,
        // Six-decimal coordinates, as exporters write them.
        segmentation: [
          Array.from({ length: points }, (_, p) => [
            1.123456 + (p % 4),
            1.654321 + ((p >> 1) % 4),
          ]).flat(),
        ],
      })),
    ),
    categories: [{ id: 1, name: "cat" }],
  });
}

const laughs = (root: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE ${root} [\n<!ENTITY lol "lol">\n` +
  Array.from(
    { length: 9 },
    (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`,
  ).join("\n") +
  `\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n`;

/** Everything a report says, for matching. */
const said = (result: Import) =>
  [
    result.error_message ?? "",
    ...(result.report?.problems ?? []).map((p) => `${p.file}: ${p.reason}`),
  ].join("\n");

const cases: Case[] = [
  {
    name: "zip-slip and absolute member names",
    format: "coco",
    members: () => [
      { name: cocoFile, data: coco(["a.png", `../../${unique}.png`]) },
      { name: "images/default/a.png", data: png },
      { name: `../../${unique}`, data: "escaped" },
      { name: `../../../../../../../../tmp/${unique}`, data: "escaped" },
      { name: `images/default/../../../${unique}.png`, data: png },
      { name: `..\\..\\${unique}`, data: "escaped" },
      { name: `/tmp/${unique}`, data: "escaped" },
      { name: `C:\\${unique}`, data: "escaped" },
    ],
    check(result, text) {
      expect(result.status).toBe("completed");
      expect(result.report!.images).toBeGreaterThanOrEqual(1);
      expect(text.match(/path leaves the archive/g)?.length).toBe(4);
      expect(text).toMatch(new RegExp(`/tmp/${unique}: absolute path`));
      expect(text).toMatch(/drive letter/);
    },
  },
  {
    name: "symbolic link members",
    format: "coco",
    members: () => [
      { name: cocoFile, data: coco(["link.png", "b.png"]) },
      { name: "images/default/link.png", data: "/etc/passwd", mode: 0o120777 },
      { name: "images/default/b.png", data: png },
      { name: "images/up", data: "../../..", mode: 0o120777 },
    ],
    check(result, text) {
      expect(result.status).toBe("completed");
      expect(text.match(/symbolic link; not followed/g)?.length).toBe(2);
      // The real image got its file; the link did not.
      expect(result.report!.image_files).toBe(1);
    },
  },
  {
    name: `a ZIP bomb: images of ${BOMB_BYTES / MB} MB of zeros, one declaring 1 KB`,
    format: "coco",
    members: () => [
      { name: cocoFile, data: coco(["bomb.png", "liar.png", "c.png"]) },
      { name: "images/default/bomb.png", data: () => zeros(BOMB_BYTES), deflate: true },
      {
        name: "images/default/liar.png",
        data: () => zeros(BOMB_BYTES),
        deflate: true,
        declaredSize: 1024,
      },
      { name: "images/default/c.png", data: png },
    ],
    check(result, text) {
      expect(result.status).toBe("completed");
      expect(text).toMatch(
        /images\/default\/bomb\.png: inflates \d+ times \(over 100\): refused as a ZIP bomb/,
      );
      expect(text).toMatch(/images\/default\/liar\.png: /);
      expect(result.report!.image_files).toBe(1);
    },
  },
  {
    name: `a ZIP bomb as the annotation file (${BOMB_BYTES / MB} MB of spaces)`,
    format: "coco",
    members: () => [
      {
        name: cocoFile,
        deflate: true,
        data: function* () {
          yield Buffer.from('{"images":[],"annotations":[],"categories":[],"x":"');
          for (const chunk of zeros(BOMB_BYTES)) yield Buffer.alloc(chunk.length, 0x20);
          yield Buffer.from('"}');
        },
      },
    ],
    check(result, text) {
      expect(result.report?.images ?? 0).toBe(0);
      expect(text).toMatch(/refused as a ZIP bomb/);
    },
  },
  {
    name: "billion laughs and an external entity in a CVAT XML",
    format: "cvat",
    members: () => [
      {
        name: "annotations.xml",
        data:
          laughs("annotations") +
          "<annotations><version>1.1</version><meta><task><labels><label><name>&lol9;</name></label></labels></task></meta>" +
          '<image id="0" name="&xxe;" width="16" height="16"><box label="&lol9;" xtl="1" ytl="1" xbr="4" ybr="4" occluded="0"/></image></annotations>',
      },
    ],
    check(result, text) {
      expect(result.report?.images ?? 0).toBe(0);
      expect(text).toMatch(/annotations\.xml.*DOCTYPE declarations are refused/);
    },
  },
  {
    name: "billion laughs and an external entity in a Pascal VOC file",
    format: "pascal_voc",
    members: () => [
      {
        name: "Annotations/x.xml",
        data:
          laughs("annotation") +
          "<annotation><filename>&xxe;</filename><size><width>16</width><height>16</height><depth>3</depth></size>" +
          "<object><name>&lol9;</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>4</ymax></bndbox></object></annotation>",
      },
      { name: "JPEGImages/x.png", data: png },
    ],
    check(result, text) {
      expect(result.report?.images ?? 0).toBe(0);
      expect(text).toMatch(/Annotations\/x\.xml.*DOCTYPE declarations are refused/);
    },
  },
  {
    name: "a 10 MB single-line COCO JSON",
    format: "coco",
    maxGrowth: MAX_GROWTH_10MB_JSON,
    members: () => {
      const json = coco(
        Array.from({ length: 2000 }, (_, i) => `img-${i}.png`),
        10,
        24,
      );
      expect(json.length).toBeGreaterThan(10 * MB);
      expect(json).not.toContain("\n");
      // Stored, not deflated: this case is about size, and repetitive JSON nears the bomb ratio.
      return [{ name: cocoFile, data: json }];
    },
    check(result) {
      expect(result.status).toBe("completed");
      expect(result.report!.images).toBe(2000);
      expect(result.report!.annotations).toBe(20_000);
    },
  },
  {
    name: `${TINY_ENTRIES.toLocaleString("en")} tiny entries (YOLO labels without images)`,
    format: "yolo",
    members: function* () {
      yield {
        name: "data.yaml",
        data: "train: images/train\nval: images/train\nnames:\n  0: cat\n",
      };
      for (let i = 0; i < TINY_ENTRIES; i++)
        yield { name: `labels/train/${i}.txt`, data: "0 0.5 0.5 0.1 0.1\n" };
    },
    check(result, text) {
      expect(result.status).toBe("completed");
      expect(result.report!.images).toBe(0);
      // Every entry is accounted for, and the report stays bounded: 1,000 listed, the rest counted.
      expect(result.report!.problems.length).toBe(1000);
      expect(
        result.report!.problems.length + result.report!.problems_truncated,
      ).toBeGreaterThanOrEqual(TINY_ENTRIES);
      expect(text).toMatch(/label file has no image file/);
    },
  },
];

describe("hostile imports", () => {
  let server: TestServer;
  let serverTmp: string;
  const workDir = mkdtempSync(join(tmpdir(), "reliability-hostile-"));
  const figures: Record<string, string | number> = {};

  const call = async (
    method: string,
    path: string,
    body?: Uint8Array,
    type = "application/zip",
  ) => {
    const response = await sendRaw(
      server.url,
      {
        method,
        path: `/api/v1${path}`,
        headers: {
          authorization: `Bearer ${server.apiKey}`,
          ...(body ? { "content-type": type } : {}),
        },
        body,
      },
      { maxBodyBytes: 64 * MB, timeoutMs: 300_000 },
    );
    return {
      status: response.status,
      json: () => JSON.parse(response.body.toString("utf8")) as unknown,
    };
  };

  async function runImport(dataset: string, format: string, zip: string): Promise<Import> {
    expect(
      (
        await call(
          "POST",
          "/datasets",
          Buffer.from(JSON.stringify({ name: dataset })),
          "application/json",
        )
      ).status,
    ).toBe(201);
    const created = await call(
      "POST",
      `/datasets/${dataset}/imports?format=${format}`,
      readFileSync(zip),
    );
    expect(created.status, JSON.stringify(created.json())).toBe(202);
    let current = ImportSchema.parse(created.json());
    const deadline = Date.now() + 600_000;
    while (current.status === "pending" || current.status === "processing") {
      if (Date.now() > deadline)
        throw new Error(`import still ${current.status}: ${JSON.stringify(current)}`);
      await new Promise((r) => setTimeout(r, 200));
      current = ImportSchema.parse(
        (await call("GET", `/datasets/${dataset}/imports/${current.id}`)).json(),
      );
    }
    return current;
  }

  beforeAll(async () => {
    // The server's own temporary directory, so leftovers and escapes are its and nobody else's.
    serverTmp = mkdtempSync(join(tmpdir(), "reliability-server-tmp-"));
    server = await startTestServer({ env: { TMPDIR: serverTmp } });
    // Warm the import path (readers, workers) so the first case is not charged for it.
    const zip = join(workDir, "warm.zip");
    await writeHostileZip(zip, [
      { name: cocoFile, data: coco(["w.png"]) },
      { name: "images/default/w.png", data: png },
    ]);
    expect((await runImport("warm-up", "coco", zip)).status).toBe("completed");
  }, 300_000);

  afterAll(async () => {
    closeRawConnections();
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(serverTmp, { recursive: true, force: true });
  });

  cases.forEach((c, i) => {
    it(`${c.name}: refused or handled, with a report`, async () => {
      const zip = join(workDir, `case-${i}.zip`);
      const written = await writeHostileZip(zip, c.members());
      const before = treeMemory(server.process.pid!).rss;
      const sampler = sampleTreeMemory(server.process.pid!);
      const started = performance.now();
      const result = await runImport(`hostile-${i}`, c.format, zip);
      const seconds = (performance.now() - started) / 1000;
      const growth = sampler.stop() - before;
      rmSync(zip);
      const text = said(result);
      console.log(
        `[hostile-imports] ${c.name}: ${result.status} in ${seconds.toFixed(1)} s, zip ${(written.bytes / MB).toFixed(1)} MB ` +
          `(${written.members} members, ${(written.inflated / MB).toFixed(0)} MB inflated), memory +${(growth / MB).toFixed(0)} MB; ` +
          `${result.report?.problems.length ?? 0}+${result.report?.problems_truncated ?? 0} problems: ${text.slice(0, 300).replaceAll("\n", " | ")}`,
      );
      figures[`${c.name}: status`] = result.status;
      figures[`${c.name}: memory growth MB`] = Math.round(growth / MB);
      figures[`${c.name}: seconds`] = Math.round(seconds * 10) / 10;
      c.check(result, text);
      // Whatever the outcome, it is explained: a failure has a message, a refusal a problem.
      if (result.status === "failed") expect(result.error_message).toBeTruthy();
      expect(growth).toBeLessThan(c.maxGrowth ?? MAX_GROWTH);
      expect(server.process.exitCode).toBeNull();
    });
  });

  it("wrote nothing outside its place, left no temporary files, and is still up", async () => {
    const places = [
      join(serverTmp, unique),
      join(tmpdir(), unique),
      join("/tmp", unique),
      join(server.dataDir, unique),
      join(dirname(server.dataDir), unique),
      resolve(server.dataDir, "../..", unique),
      join(REPO_ROOT, unique),
      join(dirname(REPO_ROOT), unique),
      join("/", unique),
    ];
    for (const place of places) {
      expect(existsSync(place), place).toBe(false);
      expect(existsSync(`${place}.png`), `${place}.png`).toBe(false);
    }
    // No file anywhere under the server's data or temporary directory carries the name either.
    for (const dir of [server.dataDir, serverTmp]) {
      const named = readdirSync(dir, { recursive: true }).filter((f) => String(f).includes(unique));
      expect(named, dir).toEqual([]);
    }
    // Each import's scratch directory was removed, refused archives included.
    expect(readdirSync(serverTmp).filter((f) => f.startsWith("pictograph-import-"))).toEqual([]);
    const health = await sendRaw(server.url, { method: "GET", path: "/api/health" });
    expect(health.status).toBe(200);
    const memory = treeMemory(server.process.pid!);
    recordFigures("hostile-imports", {
      ...figures,
      "server peak RSS MB (process tree, VmHWM)": Math.round(memory.peak / MB),
      "memory growth bound MB": MAX_GROWTH / MB,
      "memory growth bound MB, 10 MB JSON": MAX_GROWTH_10MB_JSON / MB,
      "bomb member MB": BOMB_BYTES / MB,
      "tiny entries": TINY_ENTRIES,
    });
    console.log(
      `[hostile-imports] server peak RSS ${(memory.peak / MB).toFixed(0)} MB over its process tree`,
    );
  });
});
