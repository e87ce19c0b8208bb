// Streams one JSON member of an untrusted archive whose root is an object too large to parse
// whole (a COCO annotation file): a scanner of our own finds the root's members and the
// elements of its lists, and hands each over parsed on its own (JSON.parse of its text), so
// memory holds one element at a time, never the document. Same limits and messages as
// json-member.ts (size, strict UTF-8, nesting depth). Every failure becomes one ImportProblem;
// nothing here throws.
import type { ImportProblem } from "@pictograph/schema";
import { errorMessage, problem } from "./import-problems";
import { MAX_JSON_DEPTH } from "./json-member";
import { memberText } from "./member-text";
import type { ArchiveSource } from "./types";

/** A value of the root object: an element of one of its lists (`index` ≥ 0), or a member that
 * is not a list (`index` -1). `occurrence` counts repeats of the member name (JSON.parse keeps
 * the last one); `chars` is the length of the value's text. */
export type JsonPart = {
  key: string;
  occurrence: number;
  index: number;
  value: unknown;
  chars: number;
};

export type JsonMemberShape = { list: boolean; occurrences: number };

/** What a whole, valid document held: its root type and, for an object, each member's shape
 * (of its last occurrence). */
export type JsonDocumentShape = {
  root: "object" | "other";
  members: Map<string, JsonMemberShape>;
};

export type JsonStreamOptions = {
  /** Parts to parse and hand over; the rest are skipped unseen unless `checkAll`. */
  select(key: string, index: number, occurrence: number): boolean;
  /** Parse every part, selected or not, so that any malformed value is found (a first pass). */
  checkAll?: boolean;
};

class JsonRefusal extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly invalid = true,
  ) {
    super(message);
  }
}

const enum State {
  RootValue,
  KeyOrEnd,
  Key,
  Colon,
  MemberValue,
  MemberNext,
  ElementOrEnd,
  Element,
  ElementNext,
  AfterRoot,
}
const enum Capture {
  None,
  Container,
  String,
  Primitive,
}
const enum Target {
  Root,
  Key,
  Member,
  Element,
}

const isPrimitiveStart = (c: number) =>
  c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
const isDelimiter = (c: number) =>
  c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** A selected part found by the scanner, not parsed yet. */
type PendingPart = { key: string; occurrence: number; index: number; body: string; line: number };

/** The scanner proper: text in, completed parts out through `take`. Synchronous and pure. */
export class JsonObjectScanner {
  private ready: PendingPart[] = [];
  readonly members = new Map<string, JsonMemberShape>();
  root: "object" | "other" | null = null;
  line = 1;
  private state = State.RootValue;
  private capture = Capture.None;
  private target = Target.Root;
  private keep = false;
  private selected = false;
  private pieces: string[] = [];
  private start = 0;
  private captureLine = 1;
  private depth = 0;
  private baseDepth = 0;
  private inString = false;
  private escaped = false;
  private key = "";
  private occurrence = 0;
  private index = 0;

  constructor(private readonly options: JsonStreamOptions) {}

  /** Scans the next piece of the document; throws JsonRefusal on malformed input. */
  write(text: string): void {
    const n = text.length;
    let i = 0;
    this.start = 0;
    while (i < n) {
      if (this.capture !== Capture.None) {
        i = this.scanCapture(text, i);
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i++;
        continue;
      }
      if (c === 0x0a) {
        this.line++;
        i++;
        continue;
      }
      i = this.structural(text, i, c);
    }
    if (this.capture !== Capture.None && this.keep) this.pieces.push(text.slice(this.start));
  }

  /** The end of the document: what was begun must be complete. */
  close(): JsonDocumentShape {
    if (this.capture === Capture.Primitive) this.finish("", 0);
    if (this.capture !== Capture.None || this.state !== State.AfterRoot)
      throw new JsonRefusal("Unexpected end of JSON input", this.line);
    return { root: this.root ?? "other", members: this.members };
  }

  private structural(text: string, i: number, c: number): number {
    switch (this.state) {
      case State.RootValue:
        if (c === 0x7b) {
          this.root = "object";
          this.state = State.KeyOrEnd;
          return i + 1;
        }
        this.root = "other";
        return this.begin(text, i, c, Target.Root, 0);
      case State.KeyOrEnd:
      case State.Key:
        if (c === 0x7d && this.state === State.KeyOrEnd) {
          this.state = State.AfterRoot;
          return i + 1;
        }
        if (c !== 0x22) throw this.unexpected(text, i, "Expected property name or '}'");
        return this.begin(text, i, c, Target.Key, 1);
      case State.Colon:
        if (c !== 0x3a) throw this.unexpected(text, i, "Expected ':' after property name");
        this.state = State.MemberValue;
        return i + 1;
      case State.MemberValue: {
        const shape = this.members.get(this.key)!;
        shape.list = c === 0x5b;
        if (shape.list) {
          this.index = 0;
          this.state = State.ElementOrEnd;
          return i + 1;
        }
        return this.begin(text, i, c, Target.Member, 1);
      }
      case State.MemberNext:
        if (c === 0x2c) this.state = State.Key;
        else if (c === 0x7d) this.state = State.AfterRoot;
        else throw this.unexpected(text, i, "Expected ',' or '}' after property value");
        return i + 1;
      case State.ElementOrEnd:
      case State.Element:
        if (c === 0x5d && this.state === State.ElementOrEnd) {
          this.state = State.MemberNext;
          return i + 1;
        }
        return this.begin(text, i, c, Target.Element, 2);
      case State.ElementNext:
        if (c === 0x2c) this.state = State.Element;
        else if (c === 0x5d) this.state = State.MemberNext;
        else throw this.unexpected(text, i, "Expected ',' or ']' after array element");
        return i + 1;
      case State.AfterRoot:
        throw this.unexpected(text, i, "Unexpected non-whitespace character after JSON");
    }
  }

  /** Starts capturing the value whose first character is at `i`. */
  private begin(text: string, i: number, c: number, target: Target, baseDepth: number): number {
    this.target = target;
    this.baseDepth = baseDepth;
    this.start = i;
    this.captureLine = this.line;
    this.pieces = [];
    this.selected =
      (target === Target.Member || target === Target.Element) &&
      this.options.select(this.key, target === Target.Element ? this.index : -1, this.occurrence);
    this.keep =
      this.selected ||
      target === Target.Root ||
      target === Target.Key ||
      this.options.checkAll === true;
    if (c === 0x7b || c === 0x5b) {
      this.capture = Capture.Container;
      this.depth = 1;
      this.inString = false;
      this.escaped = false;
      if (baseDepth + 1 > MAX_JSON_DEPTH) throw tooDeep();
      return i + 1;
    }
    if (c === 0x22) {
      this.capture = Capture.String;
      this.escaped = false;
      return i + 1;
    }
    if (!isPrimitiveStart(c)) throw this.unexpected(text, i, "Unexpected token");
    this.capture = Capture.Primitive;
    return i + 1;
  }

  /** Scans the value being captured from `i`; returns where structural scanning resumes. */
  private scanCapture(text: string, i: number): number {
    const n = text.length;
    if (this.capture === Capture.Primitive) {
      while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      if (i < n) this.finish(text, i);
      return i;
    }
    if (this.capture === Capture.String) {
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.finish(text, i + 1);
          return i + 1;
        }
      }
      return n;
    }
    const maxDepth = MAX_JSON_DEPTH - this.baseDepth;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++depth > maxDepth) throw tooDeep();
      } else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) {
          this.finish(text, i + 1);
          return i + 1;
        }
      } else if (c === 0x0a) this.line++;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return n;
  }

  /** The captured value ends just before `end` in `text`. */
  private finish(text: string, end: number): void {
    const target = this.target;
    this.capture = Capture.None;
    const body = this.keep
      ? this.pieces.length
        ? this.pieces.join("") + text.slice(this.start, end)
        : text.slice(this.start, end)
      : "";
    this.pieces = [];
    // Selected parts are parsed when taken; others only checked, if at all.
    const value = this.keep && !this.selected ? parseJson(body, this.captureLine) : undefined;
    switch (target) {
      case Target.Root:
        this.state = State.AfterRoot;
        return;
      case Target.Key: {
        this.key = value as string;
        const shape = this.members.get(this.key);
        if (shape) this.occurrence = shape.occurrences++;
        else {
          this.occurrence = 0;
          this.members.set(this.key, { list: false, occurrences: 1 });
        }
        this.state = State.Colon;
        return;
      }
      case Target.Member:
        this.state = State.MemberNext;
        this.hand(-1, body);
        return;
      case Target.Element:
        this.state = State.ElementNext;
        this.hand(this.index++, body);
    }
  }

  private hand(index: number, body: string): void {
    if (!this.selected) return;
    const { key, occurrence } = this;
    this.ready.push({ key, occurrence, index, body, line: this.captureLine });
  }

  /** The parts completed so far, each parsed only as it is taken, so a chunk's parts are
   * never all held parsed at once. */
  *take(): Generator<JsonPart> {
    const pending = this.ready;
    this.ready = [];
    for (const { key, occurrence, index, body, line } of pending)
      yield { key, occurrence, index, value: parseJson(body, line), chars: body.length };
  }

  private unexpected(text: string, i: number, expected: string): JsonRefusal {
    return new JsonRefusal(`${expected}; found ${JSON.stringify(text[i])}`, this.line);
  }
}

function parseJson(body: string, startLine: number): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    // V8 places the fault within this value's text; say which line of the file it is on.
    const message = errorMessage(error);
    const position = /position (\d+)/.exec(message);
    let line = startLine;
    if (position)
      for (let k = 0; k < Number(position[1]) && k < body.length; k++)
        if (body.charCodeAt(k) === 0x0a) line++;
    throw new JsonRefusal(
      message.replace(/ in JSON at position \d+(?: \(line \d+ column \d+\))?/, ""),
      line,
    );
  }
}

const tooDeep = () =>
  new JsonRefusal(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, null, false);

/**
 * Streams `path` (refused past `maxBytes`), handing over the parts `options.select` picks.
 * Returns the document's shape once it was read whole and valid; null after pushing the one
 * problem that says why not. A caller wanting all-or-nothing holds what it was handed until
 * this returns.
 */
export async function* streamJsonObject(
  archive: ArchiveSource,
  path: string,
  maxBytes: number,
  problems: ImportProblem[],
  options: JsonStreamOptions,
): AsyncGenerator<JsonPart, JsonDocumentShape | null, void> {
  const scanner = new JsonObjectScanner(options);
  let first = true;
  try {
    for await (let text of memberText(archive, path, maxBytes)) {
      // As readTextMember: a byte order mark is not part of the document.
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      scanner.write(text);
      yield* scanner.take();
    }
    const shape = scanner.close();
    yield* scanner.take();
    return shape;
  } catch (error) {
    if (error instanceof JsonRefusal)
      problems.push(
        error.invalid
          ? problem(path, `not valid JSON: ${error.message}`, { line: error.line })
          : problem(path, error.message),
      );
    else problems.push(problem(path, errorMessage(error)));
    return null;
  }
}
