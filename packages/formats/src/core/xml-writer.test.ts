import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseXmlDocument } from "./xml-reader";
import { XmlWriter, xmlLegalText } from "./xml-writer";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("XmlWriter", () => {
  it("escapes & < > \" ' in text and in attributes", () => {
    const xml = new XmlWriter();
    xml.open("root", { label: `a&b <c>, "d" 'e'` }).leaf("name", `a&b <c>, "d" 'e'`).close();
    expect(xml.take()).toBe(
      '<root label="a&amp;b &lt;c&gt;, &quot;d&quot; &apos;e&apos;">\n' +
        "  <name>a&amp;b &lt;c&gt;, &quot;d&quot; &apos;e&apos;</name>\n" +
        "</root>\n",
    );
  });

  it("keeps tabs, newlines and carriage returns of attribute values through a parser", () => {
    const xml = new XmlWriter();
    xml.empty("e", { v: "a\tb\nc\r\nd" });
    const text = xml.take();
    expect(text).toBe('<e v="a&#9;b&#10;c&#13;&#10;d"/>\n');
    expect(parseXmlDocument(bytes(text), "t.xml", [])?.attributes.v).toBe("a\tb\nc\r\nd");
  });

  it("removes characters XML 1.0 cannot hold, and counts them", () => {
    const xml = new XmlWriter();
    xml.leaf("t", "a\u0000b\u0001c\u001fd\uffff\ud800e");
    expect(xml.take()).toBe("<t>abcde</t>\n");
    expect(xml.strippedCharacters).toBe(5);
  });

  it("writes childless elements self-closed and indents children two spaces", () => {
    const xml = new XmlWriter();
    xml.declaration().open("a").empty("b", { id: 0 }).open("c").leaf("d", "").close().close();
    expect(xml.take()).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<a>\n  <b id="0"/>\n  <c>\n    <d></d>\n  </c>\n</a>\n',
    );
  });

  it("leaves out attributes whose value is undefined, keeping the given order", () => {
    const xml = new XmlWriter();
    xml.empty("p", { label: "x", group_id: undefined, z_order: 2 });
    expect(xml.take()).toBe('<p label="x" z_order="2"/>\n');
  });

  it("refuses element and attribute names that are not XML names", () => {
    expect(() => new XmlWriter().open("a b")).toThrow(/element name/);
    expect(() => new XmlWriter().open("a", { "x=": "1" })).toThrow(/attribute name/);
    expect(() => new XmlWriter().close()).toThrow(/without an open element/);
  });

  it("round-trips any string through text and attributes, minus XML-illegal characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (value) => {
        const xml = new XmlWriter();
        xml.open("r", { v: value }).leaf("t", value).close();
        const problems: never[] = [];
        const root = parseXmlDocument(bytes(xml.take()), "t.xml", problems);
        expect(problems).toEqual([]);
        expect(root?.attributes.v).toBe(xmlLegalText(value));
        expect(root?.children[0]?.text).toBe(xmlLegalText(value));
      }),
      { numRuns: 300 },
    );
  });
});
