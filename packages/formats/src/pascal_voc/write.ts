// pascal_voc (D10, FORMATS.md §5): one Annotations/<path stem>.xml per image in datumaro's
// element order, JPEGImages/<path> (original extension), ImageSets/Main/<subset>.txt and
// labelmap.txt. Boxes use the VOC devkit's 1-based integer pixels. Pure and streaming.
import {
  pathBaseName,
  pathStem,
  type Annotation,
  type BBox,
  type DatasetImage,
  type Split,
} from "@pictograph/schema";
import { exportClasses } from "../core/class-list";
import { enclosingBox } from "../core/geometry";
import { countSkip, readmeText } from "../core/readme";
import { annotationSelector } from "../core/select-annotations";
import { assertDrained, streamedFile } from "../core/streamed-file";
import type { ExportSource, ExportSummary, FormatWriter } from "../core/types";
import { XmlWriter } from "../core/xml-writer";

export const LABELMAP_HEADER = "# label:color_rgb:parts:actions";
/** Attributes VOC has its own elements for; everything else goes in <attributes>. */
const FLAG_ELEMENTS = ["truncated", "difficult"] as const;
export const STRIPPED_CHARACTERS = "text: characters XML 1.0 cannot hold were removed";

export type VocBox = { xmin: number; ymin: number; xmax: number; ymax: number };

const clamp = (v: number, max: number) => Math.min(max, Math.max(1, v));

/** Devkit convention: pixel (1,1) is the top-left pixel; the box covers xmin..xmax inclusive. */
export function vocBox(box: BBox, width: number, height: number): VocBox {
  const xmin = clamp(Math.round(box.x) + 1, width);
  const ymin = clamp(Math.round(box.y) + 1, height);
  // A box thinner than a pixel still covers the pixel it starts in.
  const xmax = Math.max(xmin, clamp(Math.round(box.x + box.w), width));
  const ymax = Math.max(ymin, clamp(Math.round(box.y + box.h), height));
  return { xmin, ymin, xmax, ymax };
}

export const writePascalVoc: FormatWriter = async function* (source: ExportSource) {
  const exported = exportClasses(source.classes, source.options.class_filter);
  const summary: ExportSummary = { images: 0, annotations: 0, skipped: {}, imageMembers: 0 };
  const select = annotationSelector(source.classes, exported, summary.skipped);
  let stripped = 0;

  for await (const image of source.images()) {
    summary.images++;
    if (source.options.include_images) {
      summary.imageMembers++;
      yield { type: "image", path: `JPEGImages/${image.path}`, image };
    }
    const xml = new XmlWriter();
    writeAnnotation(xml, image, select(image), source.dataset.name, summary);
    stripped += xml.strippedCharacters;
    yield { type: "file", path: `Annotations/${pathStem(image.path)}.xml`, body: xml.take() };
  }

  const counts = source.splitCounts;
  const subsets: Array<[string, Split | null]> = [];
  for (const split of ["train", "val", "test"] as const)
    if (counts[split] > 0) subsets.push([split, split]);
  if (counts.none > 0 || subsets.length === 0) subsets.push(["default", null]);
  for (const [subset, split] of subsets) {
    const list = streamedFile(`ImageSets/Main/${subset}.txt`, async function* () {
      for await (const image of source.images({ split, annotations: false }))
        yield `${pathStem(image.path)}\n`;
    });
    yield list.entry;
    assertDrained(list);
  }

  const labelmap = exported.classes.map((c) => `${c.name}:${rgb(c.color)}::`);
  yield {
    type: "file",
    path: "labelmap.txt",
    body: [LABELMAP_HEADER, ...labelmap].join("\n") + "\n",
  };

  if (stripped) countSkip(summary.skipped, STRIPPED_CHARACTERS, stripped);
  const awkward = exported.classes.filter((c) => c.name.includes(":") || c.name.startsWith("#"));
  yield {
    type: "file",
    path: "README.txt",
    body: readmeText({
      format: "pascal_voc (Pascal VOC detection XML)",
      source,
      classes: exported.classes,
      indexBase: 0,
      layout: [
        "Annotations/<image path without extension>.xml: one file per image (sub-folders mirrored)",
        source.options.include_images
          ? "JPEGImages/<image path>: the image files, original format and extension kept"
          : "JPEGImages: not included in this export",
        `ImageSets/Main/<subset>.txt: image ids one a line; subsets ${subsets.map(([s]) => s).join(", ")}`,
        "labelmap.txt: name:r,g,b:: one class a line, in class order",
      ],
      conventions: [
        "image id = image path without its extension (e.g. batch1/x); <filename> = file name with extension",
        "VOC devkit pixels: 1-based integers, xmin = round(x)+1, ymin = round(y)+1, xmax = round(x+w), ymax = round(y+h) (halves round up), clamped to the image",
        "polygons are written as their enclosing box; polylines and keypoints are skipped",
        "boolean attributes truncated/difficult fill those elements; a text attribute pose fills <pose>; others go in <attributes>",
        "torchvision and detectron2 expect JPEGImages/<id>.jpg: non-JPEG images keep their own extension here",
      ],
      summary,
      notes: awkward.length
        ? [
            `class names with ':' or a leading '#' (${awkward.map((c) => JSON.stringify(c.name)).join(", ")}) are written as they are;`,
            "datumaro's labelmap parser cannot read those lines (our importer reads the last three ':' fields as color, parts, actions)",
          ]
        : undefined,
    }),
  };
  return summary;
};

function rgb(color: string): string {
  return [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)).join(",");
}

function writeAnnotation(
  xml: XmlWriter,
  image: DatasetImage,
  annotations: Annotation[],
  dataset: string,
  summary: ExportSummary,
): void {
  xml.declaration().open("annotation");
  xml.leaf("folder", "JPEGImages").leaf("filename", pathBaseName(image.path));
  xml
    .open("source")
    .leaf("database", "Pictograph")
    .leaf("annotation", dataset)
    .leaf("image", image.path)
    .close();
  xml.open("size").leaf("width", image.width).leaf("height", image.height).leaf("depth", 3).close();
  xml.leaf("segmented", 0);
  for (const annotation of annotations) {
    let box: BBox;
    if (annotation.type === "bbox") box = annotation.bbox;
    else if (annotation.type === "polygon") {
      box = enclosingBox(annotation.polygon.paths[0]!);
      countSkip(summary.skipped, "polygon: written as its enclosing box in pascal_voc");
    } else {
      countSkip(summary.skipped, `${annotation.type}: not expressible in pascal_voc`);
      continue;
    }
    writeObject(xml, annotation, vocBox(box, image.width, image.height));
    summary.annotations++;
  }
  xml.close();
}

const flag = (attributes: Annotation["attributes"], name: (typeof FLAG_ELEMENTS)[number]) =>
  attributes[name] === true ? 1 : 0;

function writeObject(xml: XmlWriter, annotation: Annotation, box: VocBox): void {
  const { attributes } = annotation;
  const pose =
    typeof attributes.pose === "string" && attributes.pose ? attributes.pose : "Unspecified";
  xml.open("object").leaf("name", annotation.class_name).leaf("pose", pose);
  xml
    .leaf("truncated", flag(attributes, "truncated"))
    .leaf("occluded", annotation.occluded ? 1 : 0)
    .leaf("difficult", flag(attributes, "difficult"));
  xml
    .open("bndbox")
    .leaf("xmin", box.xmin)
    .leaf("ymin", box.ymin)
    .leaf("xmax", box.xmax)
    .leaf("ymax", box.ymax)
    .close();
  let listed = false;
  for (const name in attributes) {
    const value = attributes[name];
    if ((FLAG_ELEMENTS as readonly string[]).includes(name) && typeof value === "boolean") continue;
    if (name === "pose" && typeof value === "string" && value) continue;
    if (!listed) xml.open("attributes");
    listed = true;
    xml.open("attribute").leaf("name", name).leaf("value", String(value)).close();
  }
  if (listed) xml.close();
  xml.close();
}
