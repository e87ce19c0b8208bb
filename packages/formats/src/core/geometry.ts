// D4 geometry hygiene: clip every shape to the image, drop what has no area left, and say why.
import type { Annotation, BBox, Point } from "@pictograph/schema";

export type Clipped = { annotation: Annotation; droppedHoles: number } | { dropped: string };

/** The box clipped to a width×height image, or null when nothing of it is inside. */
export function clipBox(box: BBox, width: number, height: number): BBox | null {
  const [x, w] = clipSpan(box.x, box.w, width);
  const [y, h] = clipSpan(box.y, box.h, height);
  if (!(w > 0 && h > 0)) return null;
  return x === box.x && y === box.y && w === box.w && h === box.h ? box : { x, y, w, h };
}

/** Start and length of a span cut to [0, limit]. A span that fits keeps its own numbers:
 * recomputing (x + w) - x would export 457.19 as 457.19000000000005. */
function clipSpan(start: number, length: number, limit: number): [number, number] {
  if (start >= 0 && start + length <= limit) return [start, length];
  const from = Math.max(0, start);
  return [from, Math.min(limit, start + length) - from];
}

/** Sutherland–Hodgman against the image rectangle; repeated points are removed. */
export function clipRing(ring: Point[], width: number, height: number): Point[] {
  const edges: Array<[(p: Point) => boolean, (a: Point, b: Point) => Point]> = [
    [(p) => p.x >= 0, (a, b) => at(a, b, (0 - a.x) / (b.x - a.x))],
    [(p) => p.x <= width, (a, b) => at(a, b, (width - a.x) / (b.x - a.x))],
    [(p) => p.y >= 0, (a, b) => at(a, b, (0 - a.y) / (b.y - a.y))],
    [(p) => p.y <= height, (a, b) => at(a, b, (height - a.y) / (b.y - a.y))],
  ];
  let points = ring;
  for (const [inside, cross] of edges) {
    if (points.length === 0) break;
    const out: Point[] = [];
    for (let i = 0; i < points.length; i++) {
      const current = points[i]!;
      const previous = points[(i + points.length - 1) % points.length]!;
      if (inside(current)) {
        if (!inside(previous)) out.push(cross(previous, current));
        out.push(current);
      } else if (inside(previous)) {
        out.push(cross(previous, current));
      }
    }
    points = out;
  }
  const deduped = points.filter((p, i) => {
    const prev = points[(i + points.length - 1) % points.length]!;
    return points.length === 1 || p.x !== prev.x || p.y !== prev.y;
  });
  return polygonArea(deduped) > 0 ? deduped : [];
}

function at(a: Point, b: Point, t: number): Point {
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

/** Shoelace area (absolute). */
export function polygonArea(ring: Point[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    sum += a.x * b.y - b.x * a.y;
  }
  return Math.abs(sum) / 2;
}

export function enclosingBox(points: Point[]): BBox {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { x: minX, y: minY, w: maxX - minX, h: maxY - minY };
}

const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));

/** The annotation clipped to a width×height image, or the reason it has nothing left. */
export function clipAnnotation(annotation: Annotation, width: number, height: number): Clipped {
  switch (annotation.type) {
    case "bbox": {
      const bbox = clipBox(annotation.bbox, width, height);
      if (bbox === annotation.bbox) return { annotation, droppedHoles: 0 };
      return bbox
        ? { annotation: { ...annotation, bbox }, droppedHoles: 0 }
        : { dropped: "bbox: no area inside the image" };
    }
    case "polygon": {
      const [outer, ...holes] = annotation.polygon.paths.map((ring) =>
        clipRing(ring, width, height),
      );
      if (!outer || outer.length < 3)
        return { dropped: "polygon: fewer than 3 points inside the image" };
      const kept = holes.filter((ring) => ring.length >= 3);
      return {
        annotation: { ...annotation, polygon: { paths: [outer, ...kept] } },
        droppedHoles: holes.length - kept.length,
      };
    }
    case "polyline": {
      // Points are clamped to the border: a line leaving the image ends on its edge.
      const path = annotation.polyline.path.map((p) => ({
        x: clamp(p.x, width),
        y: clamp(p.y, height),
      }));
      const distinct = path.filter(
        (p, i) => i === 0 || p.x !== path[i - 1]!.x || p.y !== path[i - 1]!.y,
      );
      return distinct.length >= 2
        ? { annotation: { ...annotation, polyline: { path: distinct } }, droppedHoles: 0 }
        : { dropped: "polyline: fewer than 2 points inside the image" };
    }
    case "keypoint": {
      const { x, y } = annotation.keypoint;
      return x >= 0 && y >= 0 && x <= width && y <= height
        ? { annotation, droppedHoles: 0 }
        : { dropped: "keypoint: outside the image" };
    }
  }
}
