// Runs a writer to the end and keeps its files in memory, so tests can read them back.
import type { ExportEntry, ExportSource, ExportSummary, FormatWriter } from "../core/types";

export type CollectedExport = {
  files: Map<string, string>;
  /** Image members the writer asked for, with the image path each one carries. */
  images: Map<string, string>;
  order: string[];
  summary: ExportSummary;
};

export async function collectExport(
  write: FormatWriter,
  source: ExportSource,
): Promise<CollectedExport> {
  const files = new Map<string, string>();
  const images = new Map<string, string>();
  const order: string[] = [];
  const generator = write(source);
  for (;;) {
    const next = await generator.next();
    if (next.done) return { files, images, order, summary: next.value };
    const entry: ExportEntry = next.value;
    if (order.includes(entry.path)) throw new Error(`duplicate ZIP member ${entry.path}`);
    order.push(entry.path);
    if (entry.type === "image") images.set(entry.path, entry.image.path);
    else files.set(entry.path, await bodyText(entry.body));
  }
}

async function bodyText(
  body: string | Uint8Array | AsyncIterable<string | Uint8Array>,
): Promise<string> {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of body)
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** The files of a collected export as an archive a reader can take (images as stub bytes). */
export function collectedFiles(collected: CollectedExport): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(collected.files);
  for (const member of collected.images.keys()) out[member] = "image bytes";
  return out;
}
