export * from "./core/types";
export * from "./core/class-list";
export * from "./core/geometry";
export * from "./core/readme";
export * from "./registry";
export { pictographFormat } from "./pictograph";
export { cocoFormat } from "./coco";
export { yoloFormat } from "./yolo";
export { csvFormat } from "./csv";
