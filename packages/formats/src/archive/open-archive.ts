// Opens what a user hands to `convert` or an import: a ZIP file or an unpacked directory.
import { stat } from "node:fs/promises";
import { openDirectoryArchive } from "./directory-archive";
import { openZipArchive, type ArchiveLimits, type OpenedArchive } from "./zip-archive";

export async function openArchive(
  pathOrDir: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<OpenedArchive> {
  const info = await stat(pathOrDir);
  return info.isDirectory()
    ? openDirectoryArchive(pathOrDir, limits)
    : openZipArchive(pathOrDir, limits);
}
