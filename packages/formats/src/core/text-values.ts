// Numbers and attribute values read from text (XML attributes and elements): strict, so
// "", "NaN", "inf" or "12px" are never mistaken for numbers. Pure.
import type { AttributeSpec, AttributeValue } from "@pictograph/schema";

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A finite decimal number as Python's float() would read it; undefined otherwise. */
export function strictNumber(text: string | undefined): number | undefined {
  if (text === undefined || !DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function strictInteger(text: string | undefined): number | undefined {
  const value = strictNumber(text);
  return value !== undefined && Number.isInteger(value) ? value : undefined;
}

/**
 * Text typed by the attribute's spec. Without a spec, "true"/"false" become booleans and a
 * number written canonically ("42.5", not "0042") becomes a number; any other text stays text.
 * undefined when the text does not fit the spec.
 */
export function typedAttributeValue(
  text: string,
  spec: AttributeSpec | undefined,
): AttributeValue | undefined {
  switch (spec?.kind) {
    case "checkbox": {
      const lower = text.trim().toLowerCase();
      return lower === "true" ? true : lower === "false" ? false : undefined;
    }
    case "number":
      return strictNumber(text);
    case "select":
    case "text":
      return text;
    default:
      if (text === "true" || text === "false") return text === "true";
      return text !== "" && String(Number(text)) === text ? Number(text) : text;
  }
}
