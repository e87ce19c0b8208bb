// The canonical dataset model as it travels on the wire: classes, images and annotations in
// absolute pixels, top-left origin. Plain types, no runtime: the type-level test in
// test/router-types.test-d.ts proves they equal the server's.

export type ImageStatus = "new" | "in_progress" | "complete";
export type Split = "train" | "val" | "test";
export type Format = "pictograph" | "coco" | "yolo" | "cvat" | "pascal_voc" | "labelme" | "csv";
/** Which images an export takes by review status; "all" means no filter. */
export type StatusFilter = "all" | "new" | "in_progress" | "complete";
export type Role = "viewer" | "member" | "admin";

export type Point = { x: number; y: number };
export type BBox = { x: number; y: number; w: number; h: number };
/** The first ring is the outline, later rings are holes. */
export type Polygon = { paths: Point[][] };
export type Polyline = { path: Point[] };
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

type AnnotationBase = {
  class_name: string;
  attributes: Attributes;
  confidence: number | null;
  occluded: boolean;
  z_order: number;
};

export type Annotation =
  | ({ type: "bbox"; bbox: BBox } & AnnotationBase)
  | ({ type: "polygon"; polygon: Polygon } & AnnotationBase)
  | ({ type: "polyline"; polyline: Polyline } & AnnotationBase)
  | ({
      type: "keypoint";
      keypoint: Point;
      /** Joints of one object share an instance id. */
      instance_id: number | null;
      /** One of the class's `keypoints`. */
      joint: string | null;
    } & AnnotationBase);

type AnnotationBaseInput = {
  class_name: string;
  attributes?: Attributes;
  confidence?: number | null;
  occluded?: boolean;
  z_order?: number;
};

/** An annotation to send: what the server fills in by default may be left out. */
export type AnnotationInput =
  | ({ type: "bbox"; bbox: BBox } & AnnotationBaseInput)
  | ({ type: "polygon"; polygon: Polygon } & AnnotationBaseInput)
  | ({ type: "polyline"; polyline: Polyline } & AnnotationBaseInput)
  | ({
      type: "keypoint";
      keypoint: Point;
      instance_id?: number | null;
      joint?: string | null;
    } & AnnotationBaseInput);

export type AttributeSpec =
  | { kind: "text"; name: string; default: string }
  | { kind: "number"; name: string; min: number | null; max: number | null; default: number }
  | { kind: "select"; name: string; options: string[]; default: string | null }
  | { kind: "checkbox"; name: string; default: boolean };

export type AttributeSpecInput =
  | { kind: "text"; name: string; default?: string }
  | { kind: "number"; name: string; min?: number | null; max?: number | null; default?: number }
  | { kind: "select"; name: string; options: string[]; default?: string | null }
  | { kind: "checkbox"; name: string; default?: boolean };

export type ClassDef = {
  name: string;
  /** `#rrggbb` */
  color: string;
  attributes: AttributeSpec[];
  /** Joint names, in order, for classes annotated as keypoint instances. */
  keypoints: string[] | null;
};

export type ClassDefInput = {
  name: string;
  color: string;
  attributes?: AttributeSpecInput[];
  keypoints?: string[] | null;
};
