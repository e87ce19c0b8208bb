// Class queries. A dataset's class list is ordered: `position` is what formats turn into
// class indices (FORMATS.md D1), so replacing the list keeps it exactly as given.
import type { ClassDef } from "@pictograph/schema";
import { asc, count, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../create-db";
import { ClassInUseError } from "../errors";
import { annotations, classes } from "../schema";

export type DatasetClass = ClassDef & { id: string; position: number };

const classColumns = {
  id: classes.id,
  name: classes.name,
  color: classes.color,
  position: classes.position,
  attributes: classes.attributes,
  keypoints: classes.keypoints,
};

/** The dataset's classes in list order. */
export async function listClasses(
  db: DbOrTx,
  params: { datasetId: string },
): Promise<DatasetClass[]> {
  return db
    .select(classColumns)
    .from(classes)
    .where(eq(classes.datasetId, params.datasetId))
    .orderBy(asc(classes.position));
}

/**
 * Makes the dataset's class list exactly `params.classes`, in that order. Classes are matched
 * by name: a kept class keeps its id (and its annotations), a new one is added, and a dropped
 * one is deleted — unless annotations still use it, which refuses the whole replacement with
 * ClassInUseError rather than silently deleting people's work.
 */
export async function replaceClasses(
  db: DbOrTx,
  params: { datasetId: string; classes: ClassDef[] },
): Promise<DatasetClass[]> {
  const { datasetId } = params;
  return db.transaction(async (tx) => {
    // Locks the list: concurrent replacements take turns, and annotation writes naming these
    // classes wait (their foreign key check needs a share lock), so the in-use check holds.
    const existing = await tx
      .select({ id: classes.id, name: classes.name, position: classes.position })
      .from(classes)
      .where(eq(classes.datasetId, datasetId))
      .for("update");
    const wanted = new Set(params.classes.map((c) => c.name));
    const dropped = existing.filter((c) => !wanted.has(c.name));

    if (dropped.length > 0) {
      const droppedIds = dropped.map((c) => c.id);
      const inUse = await tx
        .select({ name: classes.name, annotationCount: count() })
        .from(annotations)
        .innerJoin(classes, eq(classes.id, annotations.classId))
        .where(inArray(annotations.classId, droppedIds))
        .groupBy(classes.name)
        .orderBy(asc(classes.name));
      if (inUse.length > 0) throw new ClassInUseError(inUse);
      await tx.delete(classes).where(inArray(classes.id, droppedIds));
    }

    if (params.classes.length === 0) return [];

    // (dataset_id, position) is unique and checked row by row, so kept classes first move
    // past every final position; the upsert below then never meets an occupied one.
    const offset = Math.max(-1, ...existing.map((c) => c.position)) + 1 + params.classes.length;
    if (existing.length > dropped.length) {
      await tx
        .update(classes)
        .set({ position: sql`${classes.position} + ${offset}` })
        .where(eq(classes.datasetId, datasetId));
    }
    await tx
      .insert(classes)
      .values(
        params.classes.map((c, position) => ({
          datasetId,
          name: c.name,
          color: c.color,
          position,
          attributes: c.attributes,
          keypoints: c.keypoints,
        })),
      )
      .onConflictDoUpdate({
        target: [classes.datasetId, classes.name],
        set: {
          color: sql.raw("excluded.color"),
          position: sql.raw("excluded.position"),
          attributes: sql.raw("excluded.attributes"),
          keypoints: sql.raw("excluded.keypoints"),
        },
      });
    return listClasses(tx, { datasetId });
  });
}
