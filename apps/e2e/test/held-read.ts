// Holds an export's build open for as long as a test needs, without counting on how long the
// build takes: one of the dataset's image files in the server's storage is swapped for a named
// pipe, so the build's read of it blocks (as on a hung network disk) until `release()`.
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { rest, server } from "./fixtures";

export async function holdImageRead(dataset: string): Promise<{ release(): void }> {
  const { id } = await rest<{ id: string }>("GET", `/datasets/${dataset}`);
  // Embedded mode's local storage: <data dir>/storage/images/<dataset id>/<blob>.
  const dir = join(server.dataDir, "storage", "images", id);
  // The newest upload: the build gets through the others first, so it shows some progress.
  const [newest] = readdirSync(dir)
    .map((name) => ({ path: join(dir, name), mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  if (!newest) throw new Error(`dataset ${dataset} has no stored image files in ${dir}`);
  const blob = newest.path;
  const kept = `${blob}.held`;
  renameSync(blob, kept);
  execFileSync("mkfifo", [blob]);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      // Open the pipe's other end while it is still there (ENXIO: nobody is reading it yet),
      // put the file back, then close: a blocked reader wakes to end of file.
      let writer: number | undefined;
      try {
        writer = openSync(blob, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENXIO") throw error;
      }
      renameSync(kept, blob);
      if (writer !== undefined) closeSync(writer);
    },
  };
}
