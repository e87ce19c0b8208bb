// An image's annotation rows as compact JSON tuples, rendered by the database and turned into
// the canonical annotations of @pictograph/schema (`{ type, bbox | polygon | polyline |
// keypoint, class_name, … }`, in position order) here, so pages of images with their
// annotations come back in one round trip.
import type { Annotation, Attributes, BBox, Point, Polygon, Polyline } from "@pictograph/schema";
import { sql, type SQL } from "drizzle-orm";
import type { Geometry } from "../schema";

/** At most this many classes are numbered in tuples: array_position scans its list, and at
 * 16 ids a lookup still costs the server less than writing the id as text. */
export const MAX_NUMBERED_CLASSES = 16;

/**
 * A scalar subquery: JSON text of the image's annotations as tuples
 * `[type, geometry, class, attributes, confidence, occluded, z_order(, instance_id, joint)]`
 * in position order, keeping only `classIds` when given; null when there are none. `class`
 * is the 1-based position of the class id in `numberedClasses`, or the id as a string when
 * it is not there (see classNamer).
 *
 * Tuples built by text concatenation, not json_build_object: exports render a million per
 * 100k images, and this costs the server about half, and the client about half to parse.
 * Each value goes through the output function json_build_object would use (jsonb, float8,
 * int4, bool; to_json for text). Every column concatenated is NOT NULL or coalesced: a null
 * would silently drop the annotation from string_agg.
 *
 * Classes by number: a 100k export's million ids as text cost the server ≈0.14 s more than
 * array_position over 10 ids, and the client ≈0.2 s to parse and look up.
 *
 * The order comes from the subquery, not from `string_agg(… ORDER BY a.position)`: before
 * PostgreSQL 16 an ordered aggregate sorts every group, a sort per image that cost a 100k
 * export ≈0.6 s of server CPU (a fifth of its read). An aggregate straight over an ordered
 * subquery takes the rows in that order as long as nothing sits between them (PostgreSQL's
 * manual: "Aggregate Expressions"), and the index on (image_id, position) hands them over
 * sorted. That is also why classes are not joined here: a join could reorder the rows, so
 * the tuples name the class by id or number and the caller maps it to a name.
 */
export function annotationTuplesOf(
  imageId: SQL,
  params: { classIds?: readonly string[] | null; numberedClasses?: readonly string[] } = {},
): SQL {
  const { classIds, numberedClasses = [] } = params;
  if (numberedClasses.length > MAX_NUMBERED_CLASSES)
    throw new RangeError(`at most ${MAX_NUMBERED_CLASSES} classes can be numbered`);
  const classFilter = classIds ? sql`AND a.class_id = ANY(${sql.param(classIds)}::uuid[])` : sql``;
  const idText = sql`'"' || a.class_id::text || '"'`;
  const classKey = numberedClasses.length
    ? sql`COALESCE(array_position(${sql.param(numberedClasses)}::uuid[], a.class_id)::text, ${idText})`
    : idText;
  return sql`(
    SELECT '[' || string_agg(
      '["' || a.type || '",' || a.geometry::text || ',' || ${classKey} || ',' ||
      a.attributes::text || ',' || COALESCE(a.confidence::text, 'null') || ',' ||
      a.occluded::text || ',' || a.z_order::text ||
      CASE WHEN a.type = 'keypoint'
        THEN ',' || COALESCE(a.instance_id::text, 'null') || ',' ||
          COALESCE(to_json(a.joint)::text, 'null')
        ELSE '' END || ']',
      ',') || ']'
    FROM (
      SELECT * FROM annotations a WHERE a.image_id = ${imageId} ${classFilter}
      ORDER BY a.position
    ) a)`;
}

/** A tuple's class: a number from numberedClasses, or a class id. */
export type TupleClass = number | string;

/** The ids to number (the first MAX_NUMBERED_CLASSES of `namesById`) and the name of each
 * tuple class; undefined for a class `namesById` does not hold. */
export function classNamer(namesById: ReadonlyMap<string, string>): {
  numberedClasses: string[];
  name: (key: TupleClass) => string | undefined;
} {
  const numberedClasses = [...namesById.keys()].slice(0, MAX_NUMBERED_CLASSES);
  // Index 0 is never used: array_position counts from 1.
  const byNumber = [undefined, ...numberedClasses.map((id) => namesById.get(id))];
  return {
    numberedClasses,
    name: (key) => (typeof key === "number" ? byNumber[key] : namesById.get(key)),
  };
}

type AnnotationTuple = [
  type: Annotation["type"],
  geometry: Geometry,
  classKey: TupleClass,
  attributes: Attributes,
  confidence: number | null,
  occluded: boolean,
  zOrder: number,
  instanceId?: number | null,
  joint?: string | null,
];

/** The canonical annotations, keys in the schema's order, from annotationTuplesOf's text;
 * `className` names the class of each tuple. */
export function annotationsFromTuples(
  text: string | null,
  className: (key: TupleClass) => string,
): Annotation[] {
  if (text === null) return [];
  const tuples = JSON.parse(text) as AnnotationTuple[];
  const annotations = new Array<Annotation>(tuples.length);
  for (let i = 0; i < tuples.length; i++) {
    const t = tuples[i]!;
    // One literal per type, so every annotation of a type shares one object shape.
    switch (t[0]) {
      case "bbox":
        annotations[i] = {
          type: "bbox",
          bbox: t[1] as BBox,
          class_name: className(t[2]),
          attributes: t[3],
          confidence: t[4],
          occluded: t[5],
          z_order: t[6],
        };
        break;
      case "polygon":
        annotations[i] = {
          type: "polygon",
          polygon: t[1] as Polygon,
          class_name: className(t[2]),
          attributes: t[3],
          confidence: t[4],
          occluded: t[5],
          z_order: t[6],
        };
        break;
      case "polyline":
        annotations[i] = {
          type: "polyline",
          polyline: t[1] as Polyline,
          class_name: className(t[2]),
          attributes: t[3],
          confidence: t[4],
          occluded: t[5],
          z_order: t[6],
        };
        break;
      case "keypoint":
        annotations[i] = {
          type: "keypoint",
          keypoint: t[1] as Point,
          instance_id: t[7] ?? null,
          joint: t[8] ?? null,
          class_name: className(t[2]),
          attributes: t[3],
          confidence: t[4],
          occluded: t[5],
          z_order: t[6],
        };
        break;
      default:
        throw new Error(`unknown annotation type ${JSON.stringify(t[0])}`);
    }
  }
  return annotations;
}
