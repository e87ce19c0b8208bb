// Image bytes over HTTP: upload streams the request body to storage (never buffered whole)
// while the probe reads the header; download streams the stored file with Range support.
import {
  DbConflictError,
  getDataset,
  getImage,
  insertImages,
  replaceImageFile,
  updateImage,
} from "@pictograph/db";
import {
  DatasetNameSchema,
  ImagePathSchema,
  ImageRecordSchema,
  ImageStatusSchema,
  SplitSchema,
} from "@pictograph/schema";
import { randomUUID } from "node:crypto";
import { fail, notFound } from "../errors";
import { ACCEPTED_IMAGE_TYPES, ImageProbe, UploadTooLargeError } from "../image-probe";
import { requireRole, type ApiContext } from "../trpc";
import { toImage } from "../wire";
import { requestBodyChunks, UploadInterruptedError } from "./request-body";
import { parseOrFail, streamBlob } from "./responses";

const ImageSizeSchema = ImageRecordSchema.pick({ width: true, height: true });

export async function uploadImage(
  ctx: ApiContext,
  request: Request,
  datasetParam: string,
  pathParam: string,
) {
  const caller = requireRole(ctx, "member");
  const datasetName = parseOrFail(DatasetNameSchema, datasetParam);
  const path = parseOrFail(ImagePathSchema, pathParam);
  const query = new URL(request.url).searchParams;
  const status = query.has("status")
    ? parseOrFail(ImageStatusSchema, query.get("status"))
    : undefined;
  const split = query.has("split")
    ? parseOrFail(SplitSchema.nullable(), query.get("split") || null)
    : undefined;
  const { db, storage, maxUploadBytes } = ctx.services;
  const dataset =
    (await getDataset(db, { workspaceId: caller.workspaceId, name: datasetName })) ??
    notFound(`dataset "${datasetName}"`);
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxUploadBytes)
    fail("payload_too_large", `image must be at most ${maxUploadBytes} bytes`);
  if (!request.body) fail("bad_request", "send the image file as the request body");

  const probe = new ImageProbe(maxUploadBytes);
  const blobKey = `images/${dataset.id}/${randomUUID()}`;
  let stored;
  try {
    stored = await storage.put(blobKey, probe.read(requestBodyChunks(request.body!)));
  } catch (error) {
    if (error instanceof UploadTooLargeError) fail("payload_too_large", error.message);
    if (error instanceof UploadInterruptedError) fail("bad_request", error.message);
    throw error;
  }
  let referenced = false;
  try {
    const measured = probe.result();
    if (!measured)
      fail(
        "unsupported_media_type",
        `the file is not a supported image (${ACCEPTED_IMAGE_TYPES.join(", ")})`,
      );
    // A header may claim any size; the model holds sides up to MAX_IMAGE_SIDE.
    parseOrFail(ImageSizeSchema, { width: measured!.width, height: measured!.height });
    const file = { ...measured!, sha256: stored.sha256, sizeBytes: stored.size, blobKey };
    let replaced = await replaceImageFile(db, { datasetId: dataset.id, path, ...file });
    if (!replaced) {
      try {
        await insertImages(db, {
          datasetId: dataset.id,
          images: [{ path, ...file, status, split }],
        });
        referenced = true;
        const image = (await getImage(db, { datasetId: dataset.id, path }))!;
        return Response.json(toImage(image, dataset.name), { status: 201 });
      } catch (error) {
        // A concurrent upload created the path first: this one replaces its file, as a PUT
        // that came second would.
        if (!(
          error instanceof DbConflictError && error.constraint === "images_dataset_id_path_key"
        ))
          throw error;
        replaced = await replaceImageFile(db, { datasetId: dataset.id, path, ...file });
        if (!replaced) throw error;
      }
    }
    referenced = true;
    if (replaced.previousBlobKey)
      await storage.delete(replaced.previousBlobKey).catch(() => undefined);
    // A re-upload that names a status or split sets them, as a first upload does.
    const image =
      status !== undefined || split !== undefined
        ? (await updateImage(db, { datasetId: dataset.id, path, status, split }))!
        : replaced.image;
    return Response.json(toImage(image, dataset.name), { status: 200 });
  } catch (error) {
    // Nothing refers to the file: remove it, so a refused upload leaves no orphan.
    if (!referenced) await storage.delete(blobKey).catch(() => undefined);
    if (error instanceof DbConflictError) fail("conflict", error.message);
    throw error;
  }
}

export async function downloadImage(
  ctx: ApiContext,
  request: Request,
  datasetParam: string,
  pathParam: string,
) {
  const caller = requireRole(ctx, "viewer");
  const datasetName = parseOrFail(DatasetNameSchema, datasetParam);
  const path = parseOrFail(ImagePathSchema, pathParam);
  const { db } = ctx.services;
  const dataset =
    (await getDataset(db, { workspaceId: caller.workspaceId, name: datasetName })) ??
    notFound(`dataset "${datasetName}"`);
  const image = await getImage(db, { datasetId: dataset.id, path });
  if (!image?.blobKey) return notFound(`image file "${path}"`);
  return streamBlob(ctx.services.storage, request, {
    key: image.blobKey,
    size: image.sizeBytes ?? 0,
    contentType: image.mime ?? "application/octet-stream",
    etag: image.sha256,
    cacheControl: "private, max-age=3600",
  });
}
