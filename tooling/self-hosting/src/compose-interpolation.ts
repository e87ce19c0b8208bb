// Compose's variable interpolation, as the Compose Specification describes it: `$VAR`,
// `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`,
// `${VAR:+replacement}`, `${VAR+replacement}`, nesting inside the default, and `$$` for a
// literal `$`. The checks read docker-compose.yml through this exactly as `docker compose`
// would. Pure: no I/O, never reads process.env.

type Operator = ":-" | "-" | ":?" | "?" | ":+" | "+";
type Part =
  | { kind: "text"; text: string }
  | { kind: "variable"; name: string; operator: Operator | null; word: Part[] };

/** One `${NAME…}` or `$NAME` in a string; `word` is the raw text after the operator. */
export type VariableUse = { name: string; operator: Operator | null; word: string };

export class InterpolationError extends Error {
  override readonly name = "InterpolationError";
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS: Operator[] = [":-", ":?", ":+", "-", "?", "+"];

function parse(text: string, start: number, insideBraces: boolean): { parts: Part[]; end: number } {
  const parts: Part[] = [];
  let literal = "";
  let i = start;
  while (i < text.length) {
    const char = text[i]!;
    if (insideBraces && char === "}") break;
    if (char !== "$") {
      literal += char;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      literal += "$";
      i += 2;
      continue;
    }
    if (next === "{") {
      const name = NAME.exec(text.slice(i + 2))?.[0];
      if (!name) throw new InterpolationError(`invalid interpolation format in "${text}"`);
      let j = i + 2 + name.length;
      const operator = OPERATORS.find((op) => text.startsWith(op, j)) ?? null;
      let word: Part[] = [];
      if (operator) {
        const inner = parse(text, j + operator.length, true);
        word = inner.parts;
        j = inner.end;
      }
      if (text[j] !== "}") throw new InterpolationError(`unclosed "\${" in "${text}"`);
      if (literal) parts.push({ kind: "text", text: literal });
      literal = "";
      parts.push({ kind: "variable", name, operator, word });
      i = j + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (name) {
      if (literal) parts.push({ kind: "text", text: literal });
      literal = "";
      parts.push({ kind: "variable", name, operator: null, word: [] });
      i += 1 + name.length;
      continue;
    }
    literal += "$";
    i++;
  }
  if (literal) parts.push({ kind: "text", text: literal });
  return { parts, end: i };
}

function parseAll(text: string): Part[] {
  const { parts, end } = parse(text, 0, false);
  if (end !== text.length) throw new InterpolationError(`unexpected "}" in "${text}"`);
  return parts;
}

function render(parts: Part[], variables: Record<string, string | undefined>): string {
  return parts
    .map((part) => {
      if (part.kind === "text") return part.text;
      const value = variables[part.name];
      const set = value !== undefined;
      const nonEmpty = set && value !== "";
      const word = () => render(part.word, variables);
      switch (part.operator) {
        case null:
          return value ?? "";
        case ":-":
          return nonEmpty ? value : word();
        case "-":
          return set ? value : word();
        case ":+":
          return nonEmpty ? word() : "";
        case "+":
          return set ? word() : "";
        case ":?":
        case "?":
          if (part.operator === ":?" ? nonEmpty : set) return value!;
          throw new InterpolationError(
            word() || `required variable ${part.name} is missing a value`,
          );
      }
    })
    .join("");
}

function rawText(parts: Part[]): string {
  return parts
    .map((part) =>
      part.kind === "text"
        ? part.text.replaceAll("$", "$$")
        : `\${${part.name}${part.operator ?? ""}${rawText(part.word)}}`,
    )
    .join("");
}

/** The string as Compose sees it once `variables` (its .env and environment) are applied. */
export function interpolate(text: string, variables: Record<string, string | undefined>): string {
  return render(parseAll(text), variables);
}

/** Every variable a string refers to, including those nested in defaults. */
export function variableUses(text: string): VariableUse[] {
  const uses: VariableUse[] = [];
  const visit = (parts: Part[]) => {
    for (const part of parts) {
      if (part.kind !== "variable") continue;
      uses.push({ name: part.name, operator: part.operator, word: rawText(part.word) });
      visit(part.word);
    }
  };
  visit(parseAll(text));
  return uses;
}

/** Applies `interpolate` to every string value of a parsed YAML document (keys stay as written). */
export function interpolateDocument<T>(
  document: T,
  variables: Record<string, string | undefined>,
): T {
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") return interpolate(value, variables);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    return value;
  };
  return walk(document) as T;
}

/** Every variable use in every string value of a parsed YAML document. */
export function documentVariableUses(document: unknown): VariableUse[] {
  const uses: VariableUse[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string") uses.push(...variableUses(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(document);
  return uses;
}
