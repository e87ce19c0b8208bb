import fc from "fast-check";
import type { ImportProblem } from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import type { ArchiveSource } from "./types";
import { streamJsonObject, type JsonDocumentShape, type JsonPart } from "./json-stream";

/** An archive of one member, `doc.json`, handed over in the given pieces of bytes. */
function chunked(pieces: Uint8Array[]): ArchiveSource {
  return {
    problems: [],
    async *members() {},
    has: (path) => path === "doc.json",
    read: async () => {
      throw new Error("streaming readers must not read whole members");
    },
    async *open() {
      yield* pieces;
    },
  };
}

function split(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) pieces.push(bytes.subarray(at, at + size));
  return pieces;
}

async function stream(
  text: string,
  { chunk = 1 << 16, maxBytes = 1 << 30, checkAll = true } = {},
): Promise<{ parts: JsonPart[]; shape: JsonDocumentShape | null; problems: ImportProblem[] }> {
  const problems: ImportProblem[] = [];
  const parts: JsonPart[] = [];
  const scan = streamJsonObject(chunked(split(text, chunk)), "doc.json", maxBytes, problems, {
    select: () => true,
    checkAll,
  });
  let next = await scan.next();
  for (; !next.done; next = await scan.next()) parts.push(next.value);
  return { parts, shape: next.value, problems };
}

/** The root object as JSON.parse reads it, rebuilt from the parts (last occurrence wins). */
function rebuild(parts: JsonPart[], shape: JsonDocumentShape): Record<string, unknown> {
  // No prototype, so a member named "__proto__" is an own property, as JSON.parse makes it.
  const doc: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, member] of shape.members) if (member.list) doc[key] = [];
  for (const part of parts) {
    if (part.occurrence !== shape.members.get(part.key)!.occurrences - 1) continue;
    if (part.index < 0) doc[part.key] = part.value;
    else (doc[part.key] as unknown[])[part.index] = part.value;
  }
  return doc;
}

describe("streamJsonObject", () => {
  it("hands over each element of the root's lists and its other members, whatever the chunking", async () => {
    const text =
      '{"info": {"a": [1, {"b": "}]\\"["}]}, "images": [{"id": 1}, 2, "x", null, [[]]],\n' +
      '"empty": [], "n": -1.5e3, "s": "ü€😀", "t": true}';
    for (const chunk of [1, 2, 3, 7, 1 << 16]) {
      const { parts, shape, problems } = await stream(text, { chunk });
      expect(problems).toEqual([]);
      expect(shape!.root).toBe("object");
      expect(rebuild(parts, shape!)).toEqual(JSON.parse(text));
      expect(parts.filter((p) => p.key === "images").map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it("agrees with JSON.parse on random objects, split anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string(), fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue())),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(0, 2),
        async (doc, chunk, indent) => {
          const text = JSON.stringify(doc, null, indent);
          const { parts, shape, problems } = await stream(text, { chunk });
          expect(problems).toEqual([]);
          expect(rebuild(parts, shape!)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses exactly what JSON.parse refuses", async () => {
    const texts = fc.oneof(
      fc.string(),
      fc.json().map((json) => `{"k": ${json}}`),
      // Valid documents with one character dropped, doubled or replaced.
      fc
        .tuple(
          fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 3 })),
          fc.nat(),
          fc.constantFrom("drop", "double", "swap"),
          fc.constantFrom("{", "}", "[", "]", ",", ":", '"', "\\", "x", "1", " ", "\u0001"),
        )
        .map(([doc, at, how, c]) => {
          const text = JSON.stringify(doc);
          const i = at % (text.length + 1);
          if (how === "drop") return text.slice(0, i) + text.slice(i + 1);
          if (how === "double") return text.slice(0, i) + text[i] + text.slice(i);
          return text.slice(0, i) + c + text.slice(i + 1);
        }),
    );
    await fc.assert(
      fc.asyncProperty(texts, fc.integer({ min: 1, max: 8 }), async (text, chunk) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const { shape, problems } = await stream(text, { chunk });
        expect(shape !== null).toBe(valid);
        if (!valid) {
          expect(problems).toHaveLength(1);
          expect(problems[0]!.reason).toMatch(/^not valid JSON: /);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("says where the document is broken", async () => {
    const { problems } = await stream('{"images": [\n{"id": 1},\n{"id": 2,}\n]}');
    expect(problems).toEqual([
      expect.objectContaining({
        file: "doc.json",
        line: 3,
        reason: expect.stringMatching(/^not valid JSON: /),
      }),
    ]);
    expect((await stream('{"a": [1, 2')).problems[0]!.reason).toBe(
      "not valid JSON: Unexpected end of JSON input",
    );
    expect((await stream('{"a": 1} x')).problems[0]!.reason).toMatch(
      /^not valid JSON: Unexpected non-whitespace character after JSON/,
    );
  });

  it("refuses nesting past 64 levels, bytes that are not UTF-8, and files over the limit", async () => {
    const deep = (levels: number) => `{"a": [${"[".repeat(levels - 2)}${"]".repeat(levels - 2)}]}`;
    expect((await stream(deep(64))).problems).toEqual([]);
    expect((await stream(deep(65))).problems.map((p) => p.reason)).toEqual([
      "JSON nested deeper than 64 levels",
    ]);
    // Unbalanced too: the depth is refused as it is reached, not after the end.
    expect((await stream(`{"a": ${"[".repeat(100_000)}`)).problems.map((p) => p.reason)).toEqual([
      "JSON nested deeper than 64 levels",
    ]);

    const problems: ImportProblem[] = [];
    const latin1 = chunked([Uint8Array.of(0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d)]);
    const scan = streamJsonObject(latin1, "doc.json", 100, problems, { select: () => true });
    while (!(await scan.next()).done);
    expect(problems.map((p) => p.reason)).toEqual(["file is not valid UTF-8 text"]);

    const big = await stream(`{"a": [${"1,".repeat(100)}1]}`, { chunk: 16, maxBytes: 64 });
    expect(big.shape).toBeNull();
    expect(big.problems.map((p) => p.reason)).toEqual([
      "cannot read file: doc.json: larger than 64 bytes",
    ]);
  });

  it("reports a root that is not an object, and skips unselected parts unparsed", async () => {
    expect((await stream("[1, 2]")).shape!.root).toBe("other");
    expect((await stream(' "x" ')).shape!.root).toBe("other");
    const problems: ImportProblem[] = [];
    const scan = streamJsonObject(
      chunked(split('{"a": [1, 2, 3], "b": {"c": [4]}}', 5)),
      "doc.json",
      1000,
      problems,
      { select: (key, index) => key === "a" && index === 1 },
    );
    const parts: JsonPart[] = [];
    let next = await scan.next();
    for (; !next.done; next = await scan.next()) parts.push(next.value);
    expect(parts).toEqual([{ key: "a", occurrence: 0, index: 1, value: 2, chars: 1 }]);
    expect([...next.value!.members]).toEqual([
      ["a", { list: true, occurrences: 1 }],
      ["b", { list: false, occurrences: 1 }],
    ]);
  });
});
