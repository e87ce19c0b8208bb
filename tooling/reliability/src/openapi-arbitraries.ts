// fast-check arbitraries built from the server's own OpenAPI document: the routes to fuzz,
// values shaped by each JSON Schema (so requests get past the first check), wrong values
// (types, ranges, sizes, nesting, prototype keys) and raw garbage. Test support: no I/O.
import fc from "fast-check";

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  default?: unknown;
  $ref?: string;
};

type OpenApiParameter = { name: string; in: string; required?: boolean; schema?: JsonSchema };
type OpenApiOperation = {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
};
export type OpenApiDocument = {
  paths: Record<string, Record<string, OpenApiOperation>>;
  security?: unknown[];
};

export type FuzzRoute = {
  /** operationId, e.g. `images.upload`. */
  id: string;
  method: string;
  /** Template relative to /api/v1, e.g. `/datasets/{dataset}/images/{path}`. */
  path: string;
  pathParams: string[];
  query: { name: string; required: boolean; schema: JsonSchema }[];
  body: { contentType: string; schema: JsonSchema } | null;
  /** False for routes the document marks `security: []` (signed links, the document itself). */
  secured: boolean;
};

export function routesOf(doc: OpenApiDocument): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const parameters = operation.parameters ?? [];
      const [contentType, media] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
      routes.push({
        id: operation.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!),
        query: parameters
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name, required: p.required ?? false, schema: p.schema ?? {} })),
        body: contentType ? { contentType, schema: media?.schema ?? {} } : null,
        secured: (operation.security ?? doc.security ?? []).length > 0,
      });
    }
  }
  return routes;
}

/** Known-good values by property or parameter name (a real image path, class name…). */
export type Hints = Record<string, readonly unknown[]>;

const MAX_DEPTH = 6;

/** Values the schema accepts, as far as JSON Schema says (cross-field rules aside). */
export function validValue(
  schema: JsonSchema,
  hints: Hints = {},
  name = "",
  depth = 0,
): fc.Arbitrary<unknown> {
  const hinted = hints[name];
  const own = ownValue(schema, hints, depth);
  return hinted?.length ? fc.oneof({ arbitrary: fc.constantFrom(...hinted), weight: 3 }, own) : own;
}

function ownValue(schema: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length)
    return fc.oneof(...alternatives.map((s) => validValue(s, hints, "", depth + 1)));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1)
    return fc.oneof(...types.map((type) => ownValue({ ...schema, type }, hints, depth)));
  if (depth > MAX_DEPTH) return fc.constant(null);
  switch (types[0]) {
    case "string":
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? 20, 20),
        unit: "grapheme",
      });
    case "integer":
      return fc.integer({
        min: Math.max(schema.minimum ?? -1000, Number.MIN_SAFE_INTEGER),
        max: Math.min(schema.maximum ?? 1000, Number.MAX_SAFE_INTEGER),
      });
    case "number": {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1000;
      return fc.double({
        min,
        max: schema.maximum ?? 1000,
        minExcluded: schema.exclusiveMinimum !== undefined,
        noNaN: true,
      });
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(validValue(schema.items ?? {}, hints, "", depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      });
    case "object": {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, property] of Object.entries(properties))
        shape[key] = validValue(property, hints, key, depth + 1);
      return fc.record(shape, {
        requiredKeys: Object.keys(properties).filter((key) => required.has(key)),
      });
    }
    default:
      return anyJson;
  }
}

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** Strings meant to trip parsers, converters and file systems. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-0",
    "0x10",
    "null",
    "undefined",
    "true",
    "[]",
    "{}",
    "__proto__",
    "constructor",
    "prototype",
    "../../../../etc/passwd",
    "..",
    ".",
    "a/../../b",
    "..\\..\\windows",
    "/etc/passwd",
    "C:\\x",
    "%2e%2e%2f%2e%2e%2f",
    "%00",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "😀🏳️‍🌈",
    "ﬀ",
    "İ",
    "'; DROP TABLE images; --",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "\r\nX-Injected: 1",
  ),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.integer({ min: 1, max: 300 }).map((n) => "é".repeat(n)),
);

/** Big strings are built once and shared, so thousands of cases do not allocate thousands. */
export const ONE_MEGABYTE = "x".repeat(1024 * 1024);
const EIGHT_KILOBYTES_UNICODE = "ü".repeat(4096);

/** A value no schema field should accept as is, or one past a limit. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53 + 2,
    -(2 ** 63),
    1e308,
    -1e308,
    Number.MIN_VALUE,
    ONE_MEGABYTE,
    EIGHT_KILOBYTES_UNICODE,
    [],
    {},
  ),
  fc.integer(),
  fc.double(),
  fc.array(fc.oneof(fc.integer(), hostileString), { maxLength: 5 }),
  fc.integer({ min: 1, max: 300 }).map(nestedArrays),
  fc.dictionary(hostileString, fc.oneof(fc.integer(), hostileString), { maxKeys: 4 }),
  fc.constant(Array.from({ length: 20_000 }, (_, i) => i)),
);

function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Puts `wrong` somewhere in `value` (replacing a field, an item, or the whole value). */
export function plant(value: unknown, wrong: unknown, pick: number, addKey: string): unknown {
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node))
      node.forEach((item, i) => {
        slots.push({ parent: node, key: i });
        walk(item);
      });
    else if (node && typeof node === "object")
      for (const [key, item] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key });
        walk(item);
      }
  };
  const copy = structuredClone(value);
  walk(copy);
  const objects = slots.filter((slot) => slot.parent && !Array.isArray(slot.parent));
  if (slots.length === 0)
    return copy && typeof copy === "object" ? { ...copy, [addKey]: wrong } : wrong;
  // One time in four a key is added beside the existing ones instead.
  if (pick % 4 === 0 && objects.length) {
    const { parent } = objects[pick % objects.length]!;
    (parent as Record<string, unknown>)[addKey] = wrong;
    return copy;
  }
  const { parent, key } = slots[pick % slots.length]!;
  (parent as Record<string, unknown>)[key as string] = wrong;
  return copy;
}

/** Text JSON.stringify would never write: prototype keys, NaN, duplicates, deep nesting. */
export const rawJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "null",
    "[]",
    "[1,2,3]",
    '"a string"',
    "42",
    "1e999",
    "true",
    "{",
    "{}}",
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":-Infinity}',
    '{"a":undefined}',
    "{'a':1}",
    '{"a":1,}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"name":"a","name":"b"}',
    "\ufeff{}",
    "\u0000",
  ),
  fc.integer({ min: 10, max: 100_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  fc.integer({ min: 10, max: 100_000 }).map((n) => '{"a":'.repeat(n) + "1" + "}".repeat(n)),
  fc.string({ unit: "binary", maxLength: 200 }),
);

/** `{"__proto__":…,"constructor":…}` prepended to an object's own keys. */
export function withPrototypeKeys(json: string): string {
  const keys = '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}';
  if (json === "{}") return `{${keys}}`;
  return json.startsWith("{") ? `{${keys},${json.slice(1)}` : json;
}
