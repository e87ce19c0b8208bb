import fc from "fast-check";
import type { ImportProblem } from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import type { ArchiveSource } from "./types";
import {
  parseXmlDocument,
  streamXmlElements,
  streamXmlMember,
  type ScopedElement,
} from "./xml-reader";

const bytes = (text: string) => new TextEncoder().encode(text);

function parse(text: string | Uint8Array) {
  const problems: ImportProblem[] = [];
  const root = parseXmlDocument(typeof text === "string" ? bytes(text) : text, "a.xml", problems);
  return { root, problems };
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`;

describe("XML reader", () => {
  it("gives a light tree with attributes, text and start-tag lines", () => {
    const { root, problems } = parse(
      '<?xml version="1.0"?>\n<a x="1 &amp; 2">\n  <b>t&lt;u<![CDATA[<v>]]></b>\n  <c/>\n</a>',
    );
    expect(problems).toEqual([]);
    expect(root).toMatchObject({ name: "a", attributes: { x: "1 & 2" }, line: 2 });
    expect(root?.children.map((c) => [c.name, c.text, c.line])).toEqual([
      ["b", "t<u<v>", 3],
      ["c", "", 4],
    ]);
  });

  it("refuses a DOCTYPE with entity declarations (billion laughs) with a problem, expanding nothing", () => {
    const { root, problems } = parse(BILLION_LAUGHS);
    expect(root).toBeNull();
    expect(problems).toEqual([
      { file: "a.xml", line: 6, element: null, reason: expect.stringMatching(/DOCTYPE .*refused/) },
    ]);
  });

  it("refuses external entities and entities it does not know", () => {
    expect(parse('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>').problems[0]?.reason).toMatch(
      /DOCTYPE/,
    );
    expect(parse("<a>\n&xxe;</a>").problems).toEqual([
      { file: "a.xml", line: 2, element: null, reason: "not well-formed XML: undefined entity." },
    ]);
  });

  it("turns malformed XML into one problem with its line", () => {
    expect(parse("<a>\n<b>\n</a>").problems).toEqual([
      {
        file: "a.xml",
        line: 3,
        element: null,
        reason: expect.stringMatching(/^not well-formed XML/),
      },
    ]);
    expect(parse("").problems[0]?.reason).toBe("file is empty");
    expect(parse("<a>").problems[0]?.reason).toMatch(/not well-formed/);
  });

  it("refuses nesting deeper than the limit", () => {
    const deep = "<a>".repeat(100) + "</a>".repeat(100);
    expect(parse(deep).problems[0]?.reason).toBe("elements nested deeper than 32 levels");
  });

  it("refuses bytes that are not UTF-8", () => {
    const latin1 = new Uint8Array([...bytes("<a>caf"), 0xe9, ...bytes("</a>")]);
    expect(parse(latin1).problems[0]?.reason).toBe("file is not valid UTF-8 text");
  });

  it("hands over elements at the chosen depth one by one, with their ancestors", () => {
    const problems: ImportProblem[] = [];
    const reader = streamXmlElements(
      bytes("<r><m><x/></m><i n='1'/><i n='2'>t</i></r>"),
      "s.xml",
      problems,
      { depth: 1 },
    );
    const seen = [...reader].map(({ element, ancestors }) => [
      element.name,
      element.attributes.n ?? null,
      ancestors,
    ]);
    expect(seen).toEqual([
      ["m", null, ["r"]],
      ["i", "1", ["r"]],
      ["i", "2", ["r"]],
    ]);
    expect(problems).toEqual([]);
  });

  it("still hands over the elements completed before a fault in the same chunk", () => {
    const problems: ImportProblem[] = [];
    const text = "<r><i n='1'/><i n='2'/>\n<i n=3/></r>";
    const items = [...streamXmlElements(bytes(text), "s.xml", problems, { depth: 1 })];
    expect(items.map((i) => i.element.attributes.n)).toEqual(["1", "2"]);
    expect(problems).toEqual([
      expect.objectContaining({ line: 2, reason: expect.stringMatching(/^not well-formed XML/) }),
    ]);
  });

  it("stops at a subtree holding more elements than allowed", () => {
    const problems: ImportProblem[] = [];
    const text = `<r><i>${"<p/>".repeat(20)}</i></r>`;
    const items = [
      ...streamXmlElements(bytes(text), "s.xml", problems, { depth: 1, maxSubtreeElements: 10 }),
    ];
    expect(items).toEqual([]);
    expect(problems[0]?.reason).toMatch(/more than 10 elements/);
  });

  it("never throws on random or mutated bytes", () => {
    const valid = bytes(
      '<?xml version="1.0"?><annotation><object><name>a&amp;b</name></object></annotation>',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
              maxLength: 6,
            })
            .map((edits) => {
              const copy = valid.slice();
              for (const [at, value] of edits) copy[at] = value;
              return copy;
            }),
        ),
        (input) => {
          const { root, problems } = parse(input);
          expect(root !== null || problems.length > 0).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("reads a member piece by piece as it reads whole bytes, and refuses it past the limit", async () => {
    const text = `<r>${Array.from({ length: 40 }, (_, i) => `<i n="${i}">é${i}</i>\n`).join("")}</r>`;
    const encoded = bytes(text);
    /** The member handed over in pieces of `size` bytes (splitting characters too). */
    const archive = (size: number): ArchiveSource => ({
      problems: [],
      async *members() {},
      has: () => true,
      read: () => Promise.reject(new Error("not read whole")),
      async *open() {
        for (let at = 0; at < encoded.byteLength; at += size) yield encoded.subarray(at, at + size);
      },
    });
    async function stream(size: number, maxBytes: number) {
      const problems: ImportProblem[] = [];
      const items: ScopedElement[] = [];
      const reader = streamXmlMember(archive(size), "s.xml", maxBytes, problems, { depth: 1 });
      let next = await reader.next();
      for (; !next.done; next = await reader.next()) items.push(next.value);
      return { items, whole: next.value, problems };
    }
    const whole = [...streamXmlElements(encoded, "s.xml", [], { depth: 1 })];
    for (const size of [1, 5, 64, encoded.byteLength]) {
      const streamed = await stream(size, 1 << 20);
      expect(streamed).toEqual({ items: whole, whole: true, problems: [] });
    }
    const limited = await stream(16, 100);
    expect(limited.whole).toBe(false);
    expect(limited.items.length).toBeLessThan(whole.length);
    expect(limited.problems.map((p) => p.reason)).toEqual([
      "cannot read file: s.xml: larger than 100 bytes",
    ]);
  });
});
