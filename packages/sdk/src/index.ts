// @pictograph/sdk: the TypeScript client of a Pictograph server. Everything public is
// exported here; nothing from the server's packages is (they are dev dependencies only).
export { Client, type ClientOptions } from "./client";
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ExportFailedError,
  ImportFailedError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  PictographError,
  PollTimeoutError,
  RateLimitError,
  ValidationError,
  type ErrorBody,
  type Issue,
} from "./core/errors";
export type { Page } from "./core/pagination";
export type { RequestOptions } from "./core/request";
export type { Uploadable } from "./core/uploads";
export type * from "./dataset-model";
export type * from "./resources/annotations";
export type * from "./resources/api-keys";
export type * from "./resources/classes";
export type * from "./resources/datasets";
export type * from "./resources/exports";
export type * from "./resources/images";
export type * from "./resources/imports";
export type * from "./resources/workspace";
export {
  readExport,
  PICTOGRAPH_SCHEMA,
  type ExportedAnnotation,
  type ExportedImage,
  type ExportManifest,
  type ExportRecord,
  type ExportSource,
  type ReadExportOptions,
} from "./read-export/read-export";
