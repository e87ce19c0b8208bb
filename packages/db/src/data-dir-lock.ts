// The lock file that keeps a second process off an embedded (PGlite) data directory.
// PGlite does not lock its directory itself, and two writers corrupt it (STACK.md gotcha 4).
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

export const LOCK_FILE_NAME = "pictograph.lock";

export type DataDirLock = { path: string; release(): void };

/**
 * Takes `<dataDir>/pictograph.lock` (created exclusively, holding our pid), or throws at once
 * when a live process holds it. A lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  if (!tryCreateLock(path)) {
    const holder = readLockHolder(path);
    if (holder !== null && isAlive(holder)) {
      throw new Error(
        `Another Pictograph process (pid ${holder}) is using the embedded database in ${dataDir}. ` +
          `Stop it, or point PICTOGRAPH_DATA_DIR elsewhere. ` +
          `(If no such process is running, delete ${path}.)`,
      );
    }
    // Stale: its process is gone. Remove it and race for it like a fresh start would.
    removeIfPresent(path);
    if (!tryCreateLock(path)) {
      throw new Error(`Another Pictograph process took the lock on ${dataDir} just now: ${path}`);
    }
  }
  return {
    path,
    release() {
      // Only remove a lock that is still ours (a stale-lock takeover may have replaced it).
      if (readLockHolder(path) === process.pid) removeIfPresent(path);
    },
  };
}

function tryCreateLock(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readLockHolder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only asks whether the process exists
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
