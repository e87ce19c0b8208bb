// SQL that renders an image's annotation rows as the canonical JSON of @pictograph/schema
// (`{ type, bbox | polygon | polyline | keypoint, class_name, … }`), in position order, so
// pages of images with their annotations come back in one round trip.
import { sql, type SQL } from "drizzle-orm";

/**
 * A scalar subquery: the JSON array of the annotations of the image whose id is `imageId`,
 * keeping only `classIds` when given. Keys follow the schema's field order (json, not jsonb,
 * keeps it).
 */
export function annotationListOf(imageId: SQL, classIds?: readonly string[] | null): SQL {
  const classFilter = classIds ? sql`AND a.class_id = ANY(${sql.param(classIds)}::uuid[])` : sql``;
  return sql`(
    SELECT COALESCE(json_agg(
      CASE WHEN a.type = 'keypoint' THEN json_build_object(
        'type', a.type, 'keypoint', a.geometry, 'instance_id', a.instance_id, 'joint', a.joint,
        'class_name', c.name, 'attributes', a.attributes, 'confidence', a.confidence,
        'occluded', a.occluded, 'z_order', a.z_order)
      ELSE json_build_object(
        'type', a.type, a.type, a.geometry,
        'class_name', c.name, 'attributes', a.attributes, 'confidence', a.confidence,
        'occluded', a.occluded, 'z_order', a.z_order)
      END ORDER BY a.position), '[]'::json)
    FROM annotations a JOIN classes c ON c.id = a.class_id
    WHERE a.image_id = ${imageId} ${classFilter})`;
}
