// Memory of a process and its descendants, read from /proc (Linux): the test server is tsx
// running node as a child, so one pid's figures would miss the process doing the work.
import { readdirSync, readFileSync } from "node:fs";

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // The command name is in parentheses and may hold spaces: fields start after the last ")".
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** Resident memory now and at its peak (VmRSS, VmHWM), summed over the tree, in bytes. */
export function treeMemory(root: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  for (const pid of processTree(root)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
      continue;
    }
    rss += 1024 * Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak += 1024 * Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return { rss, peak };
}

/** Samples the tree's resident memory until stopped; returns the highest sum seen. */
export function sampleTreeMemory(root: number, intervalMs = 50): { stop(): number } {
  let highest = treeMemory(root).rss;
  const timer = setInterval(() => {
    highest = Math.max(highest, treeMemory(root).rss);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(highest, treeMemory(root).rss);
    },
  };
}
