// Reads one JSON member of an untrusted archive: size-limited, strict UTF-8, bounded nesting.
// Every failure becomes an ImportProblem; nothing here throws.
import type { ImportProblem } from "@pictograph/schema";
import type { ArchiveSource } from "./types";
import { errorMessage, problem } from "./import-problems";

export const DEFAULT_MAX_JSON_BYTES = 256 * 1024 * 1024;
/** Deeper than any format we read needs; deeper input is refused before parsing. */
export const MAX_JSON_DEPTH = 64;

/** Whole member as text, or undefined after reporting why it cannot be read. */
export async function readTextMember(
  archive: ArchiveSource,
  path: string,
  maxBytes: number,
  problems: ImportProblem[],
): Promise<string | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await archive.read(path, maxBytes);
  } catch (error) {
    problems.push(problem(path, `cannot read file: ${errorMessage(error)}`));
    return undefined;
  }
  if (bytes.byteLength > maxBytes) {
    problems.push(problem(path, `file is larger than the ${maxBytes}-byte limit`));
    return undefined;
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    problems.push(problem(path, "file is not valid UTF-8 text"));
    return undefined;
  }
}

export async function readJsonMember(
  archive: ArchiveSource,
  path: string,
  maxBytes: number,
  problems: ImportProblem[],
): Promise<unknown> {
  const text = await readTextMember(archive, path, maxBytes, problems);
  return text === undefined ? undefined : parseJsonText(text, path, problems);
}

export function parseJsonText(text: string, path: string, problems: ImportProblem[]): unknown {
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    problems.push(problem(path, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = errorMessage(error);
    const position = /position (\d+)/.exec(message);
    const line = position ? lineAt(text, Number(position[1])) : null;
    problems.push(problem(path, `not valid JSON: ${message}`, { line }));
    return undefined;
  }
}

/** Deepest bracket nesting outside strings; cheap, and never recursive. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > MAX_JSON_DEPTH) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}
