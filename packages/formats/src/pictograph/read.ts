// Reads a pictograph/1 archive back into the canonical model: the exact inverse of
// write.ts. Untrusted input: every bad file or annotation becomes a problem, never a throw.
import {
  AnnotationSchema,
  ClassListSchema,
  describeZodError,
  type Annotation,
  type ClassDef,
  type ImportProblem,
} from "@pictograph/schema";
import { checkImage, errorMessage, isRecord, problem } from "../core/import-problems";
import { DEFAULT_MAX_JSON_BYTES, readJsonMember } from "../core/json-member";
import type { ArchiveSource, FormatReader, ImportedImage, ReadOptions } from "../core/types";
import { PICTOGRAPH_SCHEMA } from "./write";

const MANIFEST = "manifest.json";

export const readPictograph: FormatReader = async (
  archive: ArchiveSource,
  options: ReadOptions = {},
) => {
  const maxBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const problems: ImportProblem[] = [];
  const manifest = await readManifest(archive, maxBytes, problems);
  return {
    classes: manifest?.classes ?? [],
    problems,
    images: manifest ? readImages(archive, maxBytes, manifest, problems) : emptyImages(),
  };
};

type Manifest = { classes: ClassDef[]; images: number | null };

async function readManifest(
  archive: ArchiveSource,
  maxBytes: number,
  problems: ImportProblem[],
): Promise<Manifest | null> {
  if (!(await archive.has(MANIFEST))) {
    problems.push(problem(MANIFEST, "not a pictograph export: manifest.json is missing"));
    return null;
  }
  const doc = await readJsonMember(archive, MANIFEST, maxBytes, problems);
  if (doc === undefined) return null;
  if (!isRecord(doc)) {
    problems.push(problem(MANIFEST, "manifest must be a JSON object"));
    return null;
  }
  if (doc.schema !== PICTOGRAPH_SCHEMA) {
    problems.push(
      problem(
        MANIFEST,
        `unsupported schema ${JSON.stringify(doc.schema)}: this reader reads ${PICTOGRAPH_SCHEMA}`,
        {
          element: "schema",
        },
      ),
    );
    return null;
  }
  const classes = ClassListSchema.safeParse(doc.classes);
  if (!classes.success) {
    problems.push(
      problem(MANIFEST, `class list not imported: ${describeZodError(classes.error).message}`, {
        element: "classes",
      }),
    );
    return null;
  }
  const counts = isRecord(doc.counts) ? doc.counts : {};
  return {
    classes: classes.data,
    images: typeof counts.images === "number" ? counts.images : null,
  };
}

async function* emptyImages(): AsyncGenerator<ImportedImage> {}

async function* readImages(
  archive: ArchiveSource,
  maxBytes: number,
  manifest: Manifest,
  problems: ImportProblem[],
): AsyncGenerator<ImportedImage> {
  const known = new Set(manifest.classes.map((c) => c.name));
  const seen = new Set<string>();
  let count = 0;
  const files: string[] = [];
  try {
    for await (const member of archive.members())
      if (member.path.startsWith("annotations/") && member.path.endsWith(".json"))
        files.push(member.path);
  } catch (error) {
    problems.push(problem("", `cannot list the archive: ${errorMessage(error)}`));
  }
  for (const file of files) {
    let image;
    try {
      image = await readImageFile(archive, file, maxBytes, known, problems);
    } catch (error) {
      problems.push(problem(file, `image not imported: ${errorMessage(error)}`));
    }
    if (!image) continue;
    if (seen.has(image.path)) {
      problems.push(
        problem(
          file,
          `image ${JSON.stringify(image.path)} appears twice; the second is not imported`,
        ),
      );
      continue;
    }
    seen.add(image.path);
    count++;
    const member = `images/${image.path}`;
    yield { image, file: (await archive.has(member)) ? member : null };
  }
  if (manifest.images !== null && manifest.images !== count)
    problems.push(
      problem(MANIFEST, `manifest counts ${manifest.images} images, the archive holds ${count}`),
    );
}

async function readImageFile(
  archive: ArchiveSource,
  file: string,
  maxBytes: number,
  known: Set<string>,
  problems: ImportProblem[],
) {
  const doc = await readJsonMember(archive, file, maxBytes, problems);
  if (doc === undefined) return null;
  if (!isRecord(doc)) {
    problems.push(problem(file, "image file must be a JSON object"));
    return null;
  }
  const fromName = file.slice("annotations/".length, -".json".length);
  if (doc.path !== undefined && doc.path !== fromName)
    problems.push(
      problem(
        file,
        `path ${JSON.stringify(doc.path)} does not match the file name; the file name is used`,
      ),
    );
  const list = Array.isArray(doc.annotations) ? doc.annotations : [];
  if (!Array.isArray(doc.annotations))
    problems.push(problem(file, "annotations must be a list", { element: "annotations" }));
  const annotations: Annotation[] = [];
  list.forEach((raw, i) => {
    const element = `annotations[${i}]`;
    const parsed = AnnotationSchema.safeParse(canonicalAnnotation(raw));
    if (!parsed.success)
      problems.push(
        problem(file, `annotation not imported: ${describeZodError(parsed.error).message}`, {
          element,
        }),
      );
    else if (!known.has(parsed.data.class_name))
      problems.push(
        problem(
          file,
          `annotation not imported: class ${JSON.stringify(parsed.data.class_name)} is not in the manifest`,
          {
            element,
          },
        ),
      );
    else annotations.push(parsed.data);
  });
  const { width, height, status, split, tags } = doc;
  return checkImage(
    { path: fromName, width, height, status, split, tags, annotations },
    file,
    problems,
  );
}

/** The file's annotation object with its class under the model's key (`name` → `class_name`). */
function canonicalAnnotation(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const { id: _id, name, ...rest } = raw;
  return { ...rest, class_name: name };
}
