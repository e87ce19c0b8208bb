import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDirectoryArchive } from "./directory-archive";
import { openArchive } from "./open-archive";
import type { OpenedArchive } from "./zip-archive";

const dir = mkdtempSync(join(tmpdir(), "directory-archive-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// dataset/ is the tree handed over; outside/ holds what links try to reach.
const tree = join(dir, "dataset");
mkdirSync(join(tree, "labels", "train"), { recursive: true });
mkdirSync(join(tree, "images"));
mkdirSync(join(dir, "outside"));
writeFileSync(join(dir, "outside", "secret.txt"), "secret");
writeFileSync(join(tree, "data.yaml"), "names: [car]\n");
writeFileSync(join(tree, "labels", "train", "b.txt"), "0 0.5 0.5 0.1 0.1\n");
writeFileSync(join(tree, "labels", "train", "a.txt"), "");
writeFileSync(join(tree, "images", "a.jpg"), Buffer.alloc(5000, 1));
symlinkSync(join(dir, "outside", "secret.txt"), join(tree, "labels", "train", "c.txt"));
symlinkSync(join(dir, "outside"), join(tree, "linked-folder"));

async function memberList(archive: OpenedArchive) {
  const members = [];
  for await (const member of archive.members()) members.push(member);
  return members;
}

describe("openDirectoryArchive", () => {
  it("lists regular files as sorted relative POSIX paths and reports links without following them", async () => {
    const archive = await openDirectoryArchive(tree);
    expect(await memberList(archive)).toEqual([
      { path: "data.yaml", size: 13 },
      { path: "images/a.jpg", size: 5000 },
      { path: "labels/train/a.txt", size: 0 },
      { path: "labels/train/b.txt", size: 18 },
    ]);
    expect(archive.problems.map((p) => [p.file, p.reason])).toEqual([
      ["labels/train/c.txt", "symbolic link; not followed"],
      ["linked-folder", "symbolic link; not followed"],
    ]);
    // Listing again reports nothing twice.
    await memberList(archive);
    expect(archive.problems).toHaveLength(2);
  });

  it("never reads through a link or out of the tree, whatever path is asked for", async () => {
    const archive = await openDirectoryArchive(tree);
    for (const path of [
      "labels/train/c.txt",
      "linked-folder/secret.txt",
      "../outside/secret.txt",
      "/etc/passwd",
    ]) {
      expect(await archive.has(path), path).toBe(false);
      await expect(archive.read(path), path).rejects.toThrow("no such file in the archive");
    }
    expect(await archive.has("labels/train")).toBe(false);
    expect(new TextDecoder().decode(await archive.read("labels/train/b.txt"))).toBe(
      "0 0.5 0.5 0.1 0.1\n",
    );
  });

  it("streams a member and refuses to read one past the byte limit", async () => {
    const archive = await openDirectoryArchive(tree, { maxReadBytes: 4096 });
    let streamed = 0;
    for await (const chunk of archive.open("images/a.jpg")) streamed += chunk.byteLength;
    expect(streamed).toBe(5000);
    await expect(archive.read("images/a.jpg")).rejects.toThrow(
      "images/a.jpg: larger than 4096 bytes",
    );
    expect((await archive.read("images/a.jpg", 5000)).byteLength).toBe(5000);
  });

  it("is what openArchive gives for a directory, and a ZIP reader for a file", async () => {
    const fromDirectory = await openArchive(tree);
    expect((await memberList(fromDirectory)).map((m) => m.path)).toContain("labels/train/b.txt");
    const zipPath = join(dir, "dataset.zip");
    execFileSync("zip", ["-q", zipPath, "data.yaml", "labels/train/b.txt"], { cwd: tree });
    const fromZip = await openArchive(zipPath);
    expect((await memberList(fromZip)).map((m) => m.path)).toEqual([
      "data.yaml",
      "labels/train/b.txt",
    ]);
    await fromZip.close();
    await expect(openArchive(join(dir, "missing"))).rejects.toThrow(/ENOENT/);
  });
});
