export * from "./core/types";
export * from "./core/class-list";
export * from "./core/geometry";
export * from "./core/readme";
export * from "./registry";
export { pictographFormat } from "./pictograph";
export { cocoFormat } from "./coco";
export { yoloFormat } from "./yolo";
export { csvFormat } from "./csv";
export { cvatFormat } from "./cvat";
export { pascalVocFormat } from "./pascal_voc";
export { labelmeFormat } from "./labelme";
export { sizeOf, measureImage, sniffImageType, IMAGE_EXTENSIONS } from "./core/image-dimensions";
export { encodePng, type RawImage } from "./core/png-file";
export {
  writeExportZip,
  type ExportZip,
  type ExportZipResult,
  type ImageBytes,
} from "./archive/write-export-zip";
export { openArchive } from "./archive/open-archive";
export { useExportHeapPolicy } from "./archive/heap-policy";
export {
  openZipArchive,
  DEFAULT_ARCHIVE_LIMITS,
  type ArchiveLimits,
  type OpenedArchive,
} from "./archive/zip-archive";
export { openDirectoryArchive } from "./archive/directory-archive";
export { memoryArchive } from "./archive/memory-archive";
