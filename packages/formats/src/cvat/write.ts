// cvat (D9, FORMATS.md §4): CVAT for images 1.1. One annotations.xml, streamed while the
// images are iterated, with the label list in <meta> and one <image> per selected image;
// images/<path> when included. Pure and streaming: never holds more than one image.
import type {
  Annotation,
  AttributeSpec,
  AttributeValue,
  ClassDef,
  Point,
} from "@pictograph/schema";
import { exportClasses } from "../core/class-list";
import { hasKeys } from "../core/has-keys";
import { countSkip, readmeText } from "../core/readme";
import { annotationSelector } from "../core/select-annotations";
import { assertDrained, streamedFile } from "../core/streamed-file";
import type { ExportSource, ExportSummary, FormatWriter } from "../core/types";
import { XmlWriter } from "../core/xml-writer";

/** Child attribute that carries a keypoint's joint name; declared as a select in <meta>. */
export const JOINT_ATTRIBUTE = "joint";
export const STRIPPED_CHARACTERS = "text: characters XML 1.0 cannot hold were removed";

export const writeCvat: FormatWriter = async function* (source: ExportSource) {
  const exported = exportClasses(source.classes, source.options.class_filter);
  const summary: ExportSummary = { images: 0, annotations: 0, skipped: {}, imageMembers: 0 };
  const select = annotationSelector(source.classes, exported, summary.skipped);
  const xml = new XmlWriter();

  async function* document(): AsyncGenerator<string> {
    xml.declaration().open("annotations").leaf("version", "1.1");
    writeMeta(xml, source, exported.classes);
    yield xml.take();
    const specs = new Map(exported.classes.map((c) => [c.name, c.attributes]));
    for await (const image of source.images()) {
      xml.open("image", {
        id: summary.images,
        name: image.path,
        width: image.width,
        height: image.height,
      });
      for (const annotation of select(image)) {
        if (writeShape(xml, annotation, specs.get(annotation.class_name) ?? [], summary.skipped))
          summary.annotations++;
      }
      xml.close();
      summary.images++;
      yield xml.take();
    }
    xml.close();
    yield xml.take();
    if (xml.strippedCharacters)
      countSkip(summary.skipped, STRIPPED_CHARACTERS, xml.strippedCharacters);
  }

  const annotations = streamedFile("annotations.xml", document);
  yield annotations.entry;
  assertDrained(annotations);

  if (source.options.include_images) {
    for await (const image of source.images({ annotations: false })) {
      summary.imageMembers++;
      yield { type: "image", path: `images/${image.path}`, image };
    }
  }

  yield {
    type: "file",
    path: "README.txt",
    body: readmeText({
      format: "cvat (CVAT for images 1.1 XML)",
      source,
      classes: exported.classes,
      indexBase: 0,
      layout: [
        "annotations.xml: <meta> with every exported label (color, attributes), then one <image> per image",
        source.options.include_images
          ? "images/<image path>: the image files; <image name> is the path under images/"
          : "images: not included in this export; <image name> is the path the image would have under images/",
      ],
      conventions: [
        "absolute pixel coordinates, origin at the top-left corner, 2 decimals",
        "<image id> counts from 0 in export order; images without shapes are childless <image/>",
        "box xtl,ytl,xbr,ybr; polygon (outer ring only), polyline and points as x,y;x,y",
        `keypoints: one <points> per joint, group_id = instance id, joint name in <attribute name="${JOINT_ATTRIBUTE}">`,
        'source="auto" marks annotations with a confidence (model output), "manual" the rest',
        "attribute values as text; checkboxes true/false",
      ],
      summary,
    }),
  };
  return summary;
};

function writeMeta(xml: XmlWriter, source: ExportSource, classes: ClassDef[]): void {
  const counts = source.splitCounts;
  const size = counts.train + counts.val + counts.test + counts.none;
  xml.open("meta").open("task");
  xml.leaf("id", 0).leaf("name", source.dataset.name).leaf("size", size).leaf("mode", "annotation");
  xml
    .leaf("overlap", 0)
    .leaf("bugtracker", "")
    .leaf("created", source.exportedAt)
    .leaf("updated", source.exportedAt);
  xml
    .leaf("start_frame", 0)
    .leaf("stop_frame", Math.max(0, size - 1))
    .leaf("frame_filter", "");
  xml.open("labels");
  for (const c of classes) {
    xml
      .open("label")
      .leaf("name", c.name)
      .leaf("color", c.color)
      .leaf("type", "any")
      .open("attributes");
    for (const spec of c.attributes) {
      // The joint attribute below carries joint names; a user attribute of that name would clash.
      if (c.keypoints && spec.name === JOINT_ATTRIBUTE) continue;
      writeAttributeSpec(xml, spec);
    }
    if (c.keypoints) {
      writeAttributeSpec(xml, {
        kind: "select",
        name: JOINT_ATTRIBUTE,
        options: c.keypoints,
        default: null,
      });
    }
    xml.close().close();
  }
  xml.close().close();
  xml.leaf("dumped", source.exportedAt).close();
}

/** As CVAT stores specs: `values` one per line; numbers as min, max, step. */
function writeAttributeSpec(xml: XmlWriter, spec: AttributeSpec): void {
  const [inputType, defaultValue, values] = ((): [string, string, string[]] => {
    switch (spec.kind) {
      case "checkbox":
        return ["checkbox", String(spec.default), [String(spec.default)]];
      case "select":
        return ["select", spec.default ?? spec.options[0]!, spec.options];
      case "number":
        return ["number", String(spec.default), [numberText(spec.min), numberText(spec.max), "1"]];
      case "text":
        return ["text", spec.default, [spec.default]];
    }
  })();
  xml
    .open("attribute")
    .leaf("name", spec.name)
    .leaf("mutable", "False")
    .leaf("input_type", inputType);
  xml.leaf("default_value", defaultValue).leaf("values", values.join("\n")).close();
}

const numberText = (value: number | null) => (value === null ? "" : String(value));
const coordinate = (value: number) => value.toFixed(2);
const pointList = (points: Point[]) =>
  points.map((p) => `${coordinate(p.x)},${coordinate(p.y)}`).join(";");

/** Writes one shape; false when it has nothing left at CVAT's 2 decimals. */
function writeShape(
  xml: XmlWriter,
  annotation: Annotation,
  specs: AttributeSpec[],
  skipped: Record<string, number>,
): boolean {
  const label = annotation.class_name;
  const source = annotation.confidence === null ? "manual" : "auto";
  const occluded = annotation.occluded ? 1 : 0;
  const z_order = annotation.z_order;
  let joint: string | null = null;
  switch (annotation.type) {
    case "bbox": {
      const { x, y, w, h } = annotation.bbox;
      const xtl = coordinate(x);
      const ytl = coordinate(y);
      const xbr = coordinate(x + w);
      const ybr = coordinate(y + h);
      if (Number(xbr) <= Number(xtl) || Number(ybr) <= Number(ytl)) {
        countSkip(skipped, "bbox: thinner than 0.01 px at cvat's 2 decimals");
        return false;
      }
      xml.open("box", { label, source, occluded, xtl, ytl, xbr, ybr, z_order });
      break;
    }
    case "polygon": {
      const [outer, ...holes] = annotation.polygon.paths;
      if (holes.length) countSkip(skipped, "polygon hole: not expressible in cvat", holes.length);
      xml.open("polygon", { label, source, occluded, points: pointList(outer!), z_order });
      break;
    }
    case "polyline": {
      const points = pointList(annotation.polyline.path);
      xml.open("polyline", { label, source, occluded, points, z_order });
      break;
    }
    case "keypoint": {
      const points = pointList([annotation.keypoint]);
      const group_id = annotation.instance_id ?? undefined;
      xml.open("points", { label, source, occluded, points, z_order, group_id });
      // On <points> the joint attribute is read back as the joint name, so it carries nothing else.
      joint = annotation.joint;
      if (JOINT_ATTRIBUTE in annotation.attributes)
        countSkip(
          skipped,
          `attribute "${JOINT_ATTRIBUTE}" on a keypoint: reserved for the joint name in cvat`,
        );
      break;
    }
  }
  const jointReserved = annotation.type === "keypoint";
  for (const [name, value] of attributeEntries(annotation.attributes, specs, jointReserved))
    xml.leaf("attribute", value, { name });
  if (joint !== null) xml.leaf("attribute", joint, { name: JOINT_ATTRIBUTE });
  xml.close();
  return true;
}

/** Declared attributes in spec order, then undeclared ones in their own order. */
function attributeEntries(
  attributes: Record<string, AttributeValue>,
  specs: AttributeSpec[],
  jointReserved: boolean,
): Array<[string, string]> {
  // Most annotations have no attributes at all.
  if (!hasKeys(attributes)) return [];
  const declared = specs.map((s) => s.name).filter((name) => name in attributes);
  const names = [
    ...declared,
    ...Object.keys(attributes).filter((name) => !declared.includes(name)),
  ];
  return names
    .filter((name) => !(jointReserved && name === JOINT_ATTRIBUTE))
    .map((name) => [name, String(attributes[name])]);
}
