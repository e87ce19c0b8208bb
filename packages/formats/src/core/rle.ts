// Uncompressed COCO RLE of a polygon with holes (FORMATS.md §2): column-major runs that start
// with a run of zeros, `sum(counts) == h*w`. A pixel belongs to the mask when its centre is
// inside the outer ring and inside no hole. Built column by column from ring crossings, so
// memory follows the polygon's size, never the image's.
import type { Point } from "@pictograph/schema";

export type Rle = { counts: number[]; size: [number, number] };

export function polygonRle(
  paths: Point[][],
  width: number,
  height: number,
): { rle: Rle; area: number } {
  const [outer = [], ...holes] = paths;
  const counts: number[] = [];
  let end = 0; // position just after the last run of ones
  let area = 0;
  const left = outer.reduce((m, p) => Math.min(m, p.x), Infinity);
  const right = outer.reduce((m, p) => Math.max(m, p.x), -Infinity);
  const firstColumn = Math.max(0, Math.floor(left));
  const lastColumn = Math.min(width - 1, Math.ceil(right));
  for (let column = firstColumn; column <= lastColumn; column++) {
    const centre = column + 0.5;
    let rows = rowRanges(outer, centre, height);
    for (const hole of holes) rows = subtractRanges(rows, rowRanges(hole, centre, height));
    for (const [top, bottom] of rows) {
      const start = column * height + top;
      const length = bottom - top;
      area += length;
      if (counts.length > 0 && start === end) counts[counts.length - 1]! += length;
      else counts.push(start - end, length);
      end = start + length;
    }
  }
  const total = width * height;
  if (counts.length === 0) counts.push(total);
  else if (end < total) counts.push(total - end);
  return { rle: { counts, size: [height, width] }, area };
}

/** Rows [top, bottom) whose pixel centres lie inside `ring` on the vertical line x = `centre`
 * (even–odd rule; a centre exactly on an upper edge counts as inside). */
function rowRanges(ring: Point[], centre: number, height: number): Array<[number, number]> {
  const crossings: number[] = [];
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    if (a.x > centre !== b.x > centre)
      crossings.push(a.y + ((centre - a.x) * (b.y - a.y)) / (b.x - a.x));
  }
  crossings.sort((p, q) => p - q);
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i + 1 < crossings.length; i += 2) {
    const top = Math.max(0, Math.ceil(crossings[i]! - 0.5));
    const bottom = Math.min(height, Math.ceil(crossings[i + 1]! - 0.5));
    if (bottom > top) ranges.push([top, bottom]);
  }
  return ranges;
}

function subtractRanges(
  from: Array<[number, number]>,
  remove: Array<[number, number]>,
): Array<[number, number]> {
  let result = from;
  for (const [cutTop, cutBottom] of remove) {
    const next: Array<[number, number]> = [];
    for (const [top, bottom] of result) {
      if (cutBottom <= top || cutTop >= bottom) next.push([top, bottom]);
      else {
        if (cutTop > top) next.push([top, cutTop]);
        if (cutBottom < bottom) next.push([cutBottom, bottom]);
      }
    }
    result = next;
  }
  return result;
}
