// An image's annotation rows as compact JSON tuples, rendered by the database and turned into
// the canonical annotations of @pictograph/schema (`{ type, bbox | polygon | polyline |
// keypoint, class_name, … }`, in position order) here, so pages of images with their
// annotations come back in one round trip.
import type { Annotation, Attributes, BBox, Point, Polygon, Polyline } from "@pictograph/schema";
import { sql, type SQL } from "drizzle-orm";
import type { Geometry } from "../schema";

/**
 * A scalar subquery: JSON text of the image's annotations as tuples
 * `[type, geometry, class id, attributes, confidence, occluded, z_order(, instance_id,
 * joint)]` in position order, keeping only `classIds` when given; null when there are none.
 *
 * Tuples built by text concatenation, not json_build_object: exports render a million per
 * 100k images, and this costs the server about half, and the client about half to parse.
 * Each value goes through the output function json_build_object would use (jsonb, float8,
 * int4, bool; to_json for text). Every column concatenated is NOT NULL or coalesced: a null
 * would silently drop the annotation from string_agg.
 *
 * The order comes from the subquery, not from `string_agg(… ORDER BY a.position)`: before
 * PostgreSQL 16 an ordered aggregate sorts every group, a sort per image that cost a 100k
 * export ≈0.6 s of server CPU (a fifth of its read). An aggregate straight over an ordered
 * subquery takes the rows in that order as long as nothing sits between them (PostgreSQL's
 * manual: "Aggregate Expressions"), and the index on (image_id, position) hands them over
 * sorted. That is also why classes are not joined here: a join could reorder the rows, so
 * the tuples name the class by id and the caller maps it to a name.
 */
export function annotationTuplesOf(imageId: SQL, classIds?: readonly string[] | null): SQL {
  const classFilter = classIds ? sql`AND a.class_id = ANY(${sql.param(classIds)}::uuid[])` : sql``;
  return sql`(
    SELECT '[' || string_agg(
      '["' || a.type || '",' || a.geometry::text || ',"' || a.class_id::text || '",' ||
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

type AnnotationTuple = [
  type: Annotation["type"],
  geometry: Geometry,
  classId: string,
  attributes: Attributes,
  confidence: number | null,
  occluded: boolean,
  zOrder: number,
  instanceId?: number | null,
  joint?: string | null,
];

/** The canonical annotations, keys in the schema's order, from annotationTuplesOf's text;
 * `className` names the class of each id. */
export function annotationsFromTuples(
  text: string | null,
  className: (classId: string) => string,
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
