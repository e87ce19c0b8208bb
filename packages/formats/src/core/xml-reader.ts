// Reads untrusted XML (CVAT, Pascal VOC) safely on saxes: DOCTYPE declarations are refused
// (no entity can ever be expanded), nesting and element counts are bounded, bytes must be
// UTF-8, and every failure becomes an ImportProblem with a line number. It never throws.
//
// The document is streamed: elements at a chosen depth are handed over whole (a light tree)
// as soon as they close, so a large CVAT file is never held as one tree (streamXmlMember:
// nor as bytes).
import { SaxesParser } from "saxes";
import type { ImportProblem } from "@pictograph/schema";
import { errorMessage, problem } from "./import-problems";
import { memberText, MemberTextError } from "./member-text";
import type { ArchiveSource } from "./types";

export type XmlElement = {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data (text and CDATA), concatenated, untrimmed. */
  text: string;
  /** Line of the start tag (1-based). */
  line: number;
};

/** An element handed over whole, with the names of its ancestors (root first). */
export type ScopedElement = { element: XmlElement; ancestors: string[] };

export type XmlReadOptions = {
  /** Elements at this depth (root = 0) are yielded when they close. */
  depth: number;
  maxDepth?: number;
  /** Most elements one yielded subtree may hold. */
  maxSubtreeElements?: number;
};

export const DEFAULT_MAX_XML_DEPTH = 32;
const DEFAULT_MAX_SUBTREE_ELEMENTS = 1_000_000;
/** Characters handed to the parser at a time, so a large file never becomes one string. */
const DECODE_BYTES = 256 * 1024;

class XmlRefusal extends Error {}

/** The parser and what it has completed so far; `write` and `close` throw on refusal. */
function elementReader(options: XmlReadOptions) {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
  const maxSubtree = options.maxSubtreeElements ?? DEFAULT_MAX_SUBTREE_ELEMENTS;
  const parser = new SaxesParser({ xmlns: false, position: true });
  const ancestors: string[] = [];
  const building: XmlElement[] = [];
  let subtreeElements = 0;
  const ready: ScopedElement[] = [];

  parser.on("doctype", () => {
    throw new XmlRefusal("DOCTYPE declarations are refused (they can declare entities)");
  });
  parser.on("opentag", (tag) => {
    const depth = ancestors.length;
    if (depth >= maxDepth) throw new XmlRefusal(`elements nested deeper than ${maxDepth} levels`);
    if (depth >= options.depth) {
      if (++subtreeElements > maxSubtree)
        throw new XmlRefusal(
          `more than ${maxSubtree} elements inside one <${building[0]?.name ?? tag.name}>`,
        );
      const element: XmlElement = {
        name: tag.name,
        attributes: { ...(tag.attributes as Record<string, string>) },
        children: [],
        text: "",
        line: parser.line,
      };
      building.at(-1)?.children.push(element);
      building.push(element);
    }
    ancestors.push(tag.name);
  });
  const addText = (text: string) => {
    const current = building.at(-1);
    if (current) current.text += text;
  };
  parser.on("text", addText);
  parser.on("cdata", addText);
  parser.on("closetag", () => {
    ancestors.pop();
    if (ancestors.length < options.depth) return;
    const element = building.pop()!;
    if (ancestors.length === options.depth) {
      ready.push({ element, ancestors: [...ancestors] });
      subtreeElements = 0;
    }
  });
  return {
    ready,
    get line() {
      return parser.line;
    },
    write: (text: string) => void parser.write(text),
    close: () => void parser.close(),
  };
}

/**
 * Yields every element at `options.depth` once it is complete. On malformed input it pushes
 * one problem for `file` and stops; the return value says whether the document was whole.
 */
export function* streamXmlElements(
  bytes: Uint8Array,
  file: string,
  problems: ImportProblem[],
  options: XmlReadOptions,
): Generator<ScopedElement, boolean, void> {
  const reader = elementReader(options);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for (let offset = 0; offset < bytes.byteLength; offset += DECODE_BYTES) {
      const end = Math.min(bytes.byteLength, offset + DECODE_BYTES);
      reader.write(decoder.decode(bytes.subarray(offset, end), { stream: end < bytes.byteLength }));
      yield* reader.ready.splice(0);
    }
    if (bytes.byteLength === 0) throw new XmlRefusal("file is empty");
    reader.close();
    yield* reader.ready.splice(0);
    return true;
  } catch (error) {
    // Elements completed before the fault are still whole: hand them over first.
    const failure = problem(file, xmlFailure(error), { line: reader.line });
    yield* reader.ready.splice(0);
    problems.push(failure);
    return false;
  }
}

/** streamXmlElements over a member read piece by piece (refused past `maxBytes`), so a large
 * file is never held whole, not even as bytes. */
export async function* streamXmlMember(
  archive: ArchiveSource,
  path: string,
  maxBytes: number,
  problems: ImportProblem[],
  options: XmlReadOptions,
): AsyncGenerator<ScopedElement, boolean, void> {
  const reader = elementReader(options);
  let empty = true;
  try {
    for await (const text of memberText(archive, path, maxBytes)) {
      empty = false;
      reader.write(text);
      yield* reader.ready.splice(0);
    }
    if (empty) throw new XmlRefusal("file is empty");
    reader.close();
    yield* reader.ready.splice(0);
    return true;
  } catch (error) {
    const failure =
      error instanceof MemberTextError
        ? problem(path, error.message)
        : problem(path, xmlFailure(error), { line: reader.line });
    yield* reader.ready.splice(0);
    problems.push(failure);
    return false;
  }
}

/** A member's bytes, refused past `maxBytes`; undefined after reporting why it cannot be read. */
export async function readXmlMember(
  archive: ArchiveSource,
  path: string,
  maxBytes: number,
  problems: ImportProblem[],
): Promise<Uint8Array | undefined> {
  try {
    const bytes = await archive.read(path, maxBytes);
    if (bytes.byteLength <= maxBytes) return bytes;
  } catch (error) {
    problems.push(problem(path, `cannot read file: ${errorMessage(error)}`));
    return undefined;
  }
  problems.push(problem(path, `file is larger than the ${maxBytes}-byte limit`));
  return undefined;
}

/** The whole document as one tree (for small files such as one VOC annotation). */
export function parseXmlDocument(
  bytes: Uint8Array,
  file: string,
  problems: ImportProblem[],
): XmlElement | null {
  let root: XmlElement | null = null;
  const reader = streamXmlElements(bytes, file, problems, { depth: 0 });
  for (let next = reader.next(); !next.done; next = reader.next()) root = next.value.element;
  return root;
}

function xmlFailure(error: unknown): string {
  if (error instanceof XmlRefusal) return error.message;
  if (error instanceof TypeError && /decode|encoded/i.test(error.message))
    return "file is not valid UTF-8 text";
  // saxes messages start with "line:column: ".
  return `not well-formed XML: ${errorMessage(error).replace(/^\d+:\d+: /, "")}`;
}

/** First direct child named `name`. */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** Trimmed text of the first child named `name`, or undefined when there is none. */
export function childText(element: XmlElement, name: string): string | undefined {
  return childElement(element, name)?.text.trim();
}
