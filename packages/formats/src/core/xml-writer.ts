// The one way the XML formats (CVAT, Pascal VOC) produce XML: a tiny streaming serializer
// that escapes every value it is given and strips characters XML 1.0 cannot carry. Writers
// must never concatenate a value into markup themselves. Pure: no I/O.

export type XmlAttributeValue = string | number | undefined;
/** Attributes in the order they are written; `undefined` values are left out. */
export type XmlAttributes = Record<string, XmlAttributeValue>;

// XML 1.0 `Char`: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. Everything
// else (C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot even be escaped as &#n;.
const ILLEGAL_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
// Everything that is neither escaped nor stripped; text made only of these is written as is,
// which is nearly all text, so the escaping regexes below run only when there is work to do.
const NEEDS_ESCAPING = /[^\u0020\u0021\u0023-\u0025\u0028-\u003b\u003d\u003f-\uD7FF\uE000-\uFFFD]/;
/** Element and attribute names already checked. Names are the writers' own constants, so
 * this stays small; the cap only guards against a writer that passes data as names. */
const checkedNames = new Set<string>();
const MAX_CHECKED_NAMES = 1000;

function checkName(name: string, what: string): void {
  if (checkedNames.has(name)) return;
  if (!NAME.test(name)) throw new Error(`not an XML ${what} name: ${JSON.stringify(name)}`);
  if (checkedNames.size < MAX_CHECKED_NAMES) checkedNames.add(name);
}

const TEXT_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  // A raw CR would be read back as LF (XML end-of-line handling).
  "\r": "&#13;",
};
// Attribute values are normalised by readers (tab and newlines become spaces) unless escaped.
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, "\t": "&#9;", "\n": "&#10;" };

type Open = { name: string; startTagPending: boolean };

export class XmlWriter {
  private buffer = "";
  private readonly stack: Open[] = [];
  /** `\n` and the indent of each depth, built once. */
  private readonly lineStarts: string[] = [];
  /** Characters removed because XML 1.0 cannot represent them, over the writer's life. */
  strippedCharacters = 0;

  constructor(private readonly indent = "  ") {}

  declaration(): this {
    this.buffer += '<?xml version="1.0" encoding="utf-8"?>\n';
    return this;
  }

  open(name: string, attributes?: XmlAttributes): this {
    this.startChild(name);
    this.buffer += `<${name}${this.attributeText(attributes)}`;
    this.stack.push({ name, startTagPending: true });
    return this;
  }

  close(): this {
    const open = this.stack.pop();
    if (!open) throw new Error("XmlWriter.close() without an open element");
    if (open.startTagPending) this.buffer += "/>";
    else this.buffer += `${this.lineStart(this.stack.length)}</${open.name}>`;
    if (this.stack.length === 0) this.buffer += "\n";
    return this;
  }

  /** `<name attrs>text</name>` on one line; empty text still gets both tags. */
  leaf(name: string, text: string | number, attributes?: XmlAttributes): this {
    this.startChild(name);
    this.buffer += `<${name}${this.attributeText(attributes)}>${this.valueText(text, TEXT_ESCAPES)}</${name}>`;
    if (this.stack.length === 0) this.buffer += "\n";
    return this;
  }

  /** Element without children: `<name attrs/>`. */
  empty(name: string, attributes?: XmlAttributes): this {
    return this.open(name, attributes).close();
  }

  /** Text written since the last call; the writer keeps its place in the document. */
  take(): string {
    const text = this.buffer;
    this.buffer = "";
    return text;
  }

  get pendingLength(): number {
    return this.buffer.length;
  }

  get depth(): number {
    return this.stack.length;
  }

  private startChild(name: string): void {
    checkName(name, "element");
    const parent = this.stack.at(-1);
    if (parent?.startTagPending) {
      this.buffer += ">";
      parent.startTagPending = false;
    }
    if (this.stack.length > 0) this.buffer += this.lineStart(this.stack.length);
  }

  private lineStart(depth: number): string {
    return (this.lineStarts[depth] ??= `\n${this.indent.repeat(depth)}`);
  }

  private attributeText(attributes: XmlAttributes | undefined): string {
    // Most elements have none: no object to make or walk for them.
    if (!attributes) return "";
    let text = "";
    for (const name in attributes) {
      const value = attributes[name];
      if (value === undefined) continue;
      checkName(name, "attribute");
      text += ` ${name}="${this.valueText(value, ATTRIBUTE_ESCAPES)}"`;
    }
    return text;
  }

  private valueText(value: string | number, escapes: Record<string, string>): string {
    // A number's text never needs escaping.
    if (typeof value === "number") return String(value);
    return NEEDS_ESCAPING.test(value) ? this.escape(value, escapes) : value;
  }

  private escape(value: string, escapes: Record<string, string>): string {
    const legal = value.replace(ILLEGAL_CHARACTERS, () => {
      this.strippedCharacters++;
      return "";
    });
    return legal.replace(/[&<>"'\r\t\n]/g, (c) => escapes[c] ?? c);
  }
}

/** The text as XML 1.0 can hold it (illegal characters removed), for comparing round trips. */
export function xmlLegalText(value: string): string {
  return value.replace(ILLEGAL_CHARACTERS, "");
}
