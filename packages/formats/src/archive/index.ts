// The archive side of @pictograph/formats: writing export ZIPs and reading ZIPs or folders
// safely. src/archive/ is the only part of the package that may use node:fs, node:stream,
// node:zlib and worker threads; the format folders stay pure and never import from here.
export {
  writeExportZip,
  type ExportZip,
  type ExportZipResult,
  type WriteExportZipOptions,
} from "./write-export-zip";
export {
  ZipWriter,
  isPrecompressedName,
  type AddOptions,
  type ZipTotals,
  type ZipWriterOptions,
} from "./zip-writer";
export { openArchive } from "./open-archive";
export {
  DEFAULT_ARCHIVE_LIMITS,
  openZipArchive,
  type ArchiveLimits,
  type OpenedArchive,
} from "./zip-archive";
export { openDirectoryArchive } from "./directory-archive";
export { memoryArchive } from "./memory-archive";
