// Annotations drawn over an image as SVG in the image's own pixel space (viewBox = width ×
// height), so shapes line up at any display size: boxes, polygons with holes (even-odd
// fill of all rings), polylines and keypoints with lines between the joints of one instance.
import type { Annotation, Point } from "@pictograph/schema";

export type ClassColors = ReadonlyMap<string, string>;

const FALLBACK_COLOR = "#64748b";

function ringPath(ring: Point[]): string {
  return ring.map((p, i) => `${i === 0 ? "M" : "L"}${p.x} ${p.y}`).join(" ") + " Z";
}

function linePath(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x} ${p.y}`).join(" ");
}

type Keypoint = Extract<Annotation, { type: "keypoint" }>;

/** Joints of one instance, in the order the class names them, joined from the first. */
function skeletons(
  annotations: readonly Annotation[],
  jointOrder: ReadonlyMap<string, string[]>,
): Array<[Point, Point, string]> {
  const groups = new Map<string, Keypoint[]>();
  for (const a of annotations) {
    if (a.type !== "keypoint" || a.instance_id === null) continue;
    const key = `${a.class_name}\u0000${a.instance_id}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const segments: Array<[Point, Point, string]> = [];
  for (const joints of groups.values()) {
    const order = jointOrder.get(joints[0]!.class_name) ?? [];
    const sorted = [...joints].sort(
      (a, b) => order.indexOf(a.joint ?? "") - order.indexOf(b.joint ?? ""),
    );
    const [root, ...rest] = sorted;
    for (const joint of rest) segments.push([root!.keypoint, joint.keypoint, joint.class_name]);
  }
  return segments;
}

export function AnnotationOverlay({
  width,
  height,
  annotations,
  colors,
  jointOrder = new Map(),
  highlighted = null,
  className = "overlay",
  title,
}: {
  width: number;
  height: number;
  annotations: readonly Annotation[];
  colors: ClassColors;
  jointOrder?: ReadonlyMap<string, string[]>;
  /** Index of the annotation to emphasise; the others fade. */
  highlighted?: number | null;
  className?: string;
  title?: string;
}) {
  const radius = Math.max(2, Math.max(width, height) / 110);
  const colorOf = (name: string) => colors.get(name) ?? FALLBACK_COLOR;
  const faded = (index: number) => highlighted !== null && highlighted !== index;
  return (
    <svg
      className={className}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role={title ? "img" : undefined}
      aria-label={title}
      aria-hidden={title ? undefined : true}
    >
      {skeletons(annotations, jointOrder).map(([a, b, name], i) => (
        <line
          key={`s${i}`}
          x1={a.x}
          y1={a.y}
          x2={b.x}
          y2={b.y}
          stroke={colorOf(name)}
          strokeWidth={1.5}
          strokeOpacity={highlighted === null ? 0.9 : 0.3}
          vectorEffect="non-scaling-stroke"
        />
      ))}
      {annotations.map((a, index) => {
        const color = colorOf(a.class_name);
        const common = {
          stroke: color,
          strokeWidth: index === highlighted ? 3 : 2,
          vectorEffect: "non-scaling-stroke" as const,
          opacity: faded(index) ? 0.25 : 1,
          "data-class": a.class_name,
          "data-type": a.type,
        };
        switch (a.type) {
          case "bbox":
            return (
              <rect
                key={index}
                x={a.bbox.x}
                y={a.bbox.y}
                width={a.bbox.w}
                height={a.bbox.h}
                fill={color}
                fillOpacity={0.12}
                {...common}
              />
            );
          case "polygon":
            return (
              <path
                key={index}
                d={a.polygon.paths.map(ringPath).join(" ")}
                fillRule="evenodd"
                fill={color}
                fillOpacity={0.22}
                strokeLinejoin="round"
                {...common}
              />
            );
          case "polyline":
            return (
              <path
                key={index}
                d={linePath(a.polyline.path)}
                fill="none"
                strokeLinejoin="round"
                strokeLinecap="round"
                {...common}
                strokeWidth={index === highlighted ? 4 : 3}
              />
            );
          case "keypoint":
            return (
              <circle
                key={index}
                cx={a.keypoint.x}
                cy={a.keypoint.y}
                r={radius}
                fill={color}
                {...common}
                stroke="#ffffff"
                strokeWidth={1.5}
              />
            );
        }
      })}
    </svg>
  );
}
