// The type link between the SDK and the server (DESIGN.md: "a type-level test proves its
// types equal the router's inputs/outputs, so drift fails typecheck"). Compiled by
// `tsc --noEmit`; nothing runs. @pictograph/api and @pictograph/schema are dev dependencies,
// so none of this reaches the published declarations.
import type { AppRouter } from "@pictograph/api";
import type * as Schema from "@pictograph/schema";
import type { inferProcedureOutput, inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type * as Sdk from "../src/index";

type In = inferRouterInputs<AppRouter>;
type Out = inferRouterOutputs<AppRouter>;
/** A procedure's declared output before JSON typing: a 204's `void` (JSON typing makes it `never`). */
type Declared<
  P extends keyof AppRouter,
  V extends keyof AppRouter[P],
> = AppRouter[P][V] extends infer Procedure ? inferProcedureOutput<Procedure> : never;

/** Both ways identical, not merely assignable. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
/** Flattens intersections at every depth, so `A & B` compares equal to the object it means. */
type Deep<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? Deep<U>[]
    : T extends object
      ? { [K in keyof T]: Deep<T[K]> }
      : T;
type Same<A, B> = Equal<Deep<A>, Deep<B>>;

type Ref = { dataset: string; name: string };
type ImageRef = { dataset: string; path: string };

export type Checks = [
  // exports: the contract's resource
  Expect<Same<Sdk.Export, Out["exports"]["get"]>>,
  Expect<Same<Sdk.Export, Out["exports"]["create"]>>,
  Expect<Same<Sdk.Page<Sdk.Export>, Out["exports"]["list"]>>,
  Expect<Same<Sdk.ExportDownloadLink, Out["exports"]["download"]>>,
  Expect<Same<void, Declared<"exports", "delete">>>,
  Expect<Same<Ref & Sdk.ExportOptions, In["exports"]["create"]>>,
  Expect<
    Same<
      Omit<Sdk.ExportCreateParams, "wait" | "timeout" | "poll_interval" | "on_progress">,
      Sdk.ExportOptions
    >
  >,
  Expect<Same<Sdk.ExportListParams, In["exports"]["list"]>>,
  Expect<Same<Ref, In["exports"]["get"]>>,
  Expect<Same<Ref, In["exports"]["download"]>>,
  Expect<Same<Ref, In["exports"]["delete"]>>,

  // datasets
  Expect<Same<Sdk.Dataset, Out["datasets"]["get"]>>,
  Expect<Same<Sdk.Dataset, Out["datasets"]["create"]>>,
  Expect<Same<Sdk.Dataset, Out["datasets"]["update"]>>,
  Expect<Same<Sdk.Page<Sdk.Dataset>, Out["datasets"]["list"]>>,
  Expect<Same<void, Declared<"datasets", "delete">>>,
  Expect<Same<{ name: string } & Sdk.DatasetCreateParams, In["datasets"]["create"]>>,
  Expect<Same<{ dataset: string } & Sdk.DatasetUpdateParams, In["datasets"]["update"]>>,
  Expect<Same<Sdk.PageParams, In["datasets"]["list"]>>,
  Expect<Same<{ dataset: string }, In["datasets"]["get"]>>,

  // classes
  Expect<Same<Sdk.Class[], Out["classes"]["list"]>>,
  Expect<Same<Sdk.Class[], Out["classes"]["replace"]>>,
  Expect<Same<{ dataset: string; classes: Sdk.ClassDefInput[] }, In["classes"]["replace"]>>,

  // images
  Expect<Same<Sdk.Image, Out["images"]["get"]>>,
  Expect<Same<Sdk.Image, Out["images"]["update"]>>,
  Expect<Same<Sdk.Page<Sdk.Image>, Out["images"]["list"]>>,
  Expect<Same<void, Declared<"images", "delete">>>,
  Expect<Same<{ dataset: string } & Sdk.ImageListParams, In["images"]["list"]>>,
  Expect<Same<ImageRef & Sdk.ImageUpdateParams, In["images"]["update"]>>,
  Expect<Same<ImageRef, In["images"]["get"]>>,

  // annotations
  Expect<Same<Sdk.ImageAnnotations, Out["annotations"]["get"]>>,
  Expect<Same<Sdk.ImageAnnotations, Out["annotations"]["replace"]>>,
  Expect<Same<Sdk.AnnotationsBulkResult, Out["annotations"]["bulkReplace"]>>,
  Expect<Same<ImageRef & { annotations: Sdk.AnnotationInput[] }, In["annotations"]["replace"]>>,
  Expect<
    Same<
      { dataset: string; images: { path: string; annotations: Sdk.AnnotationInput[] }[] },
      In["annotations"]["bulkReplace"]
    >
  >,

  // imports (created by a byte route; followed through the router)
  Expect<Same<Sdk.Import, Out["imports"]["get"]>>,
  Expect<Same<Sdk.Import[], Out["imports"]["list"]>>,
  Expect<Same<{ dataset: string; id: string }, In["imports"]["get"]>>,
  Expect<Same<Sdk.Import, Schema.Import>>,

  // apiKeys, workspace
  Expect<Same<Sdk.ApiKey[], Out["apiKeys"]["list"]>>,
  Expect<Same<Sdk.ApiKeyCreated, Out["apiKeys"]["create"]>>,
  Expect<Same<Sdk.ApiKey, Out["apiKeys"]["revoke"]>>,
  Expect<Same<Sdk.ApiKeyCreateParams, In["apiKeys"]["create"]>>,
  Expect<Same<{ id: string }, In["apiKeys"]["revoke"]>>,
  Expect<Same<Sdk.Me, Out["workspace"]["me"]>>,

  // the byte routes' images are the router's images
  Expect<Same<Sdk.Image, Schema.Image>>,

  // the model and its enums
  Expect<Same<Sdk.Annotation, Schema.Annotation>>,
  Expect<Same<Sdk.AnnotationInput, Schema.AnnotationInput>>,
  Expect<Same<Sdk.ClassDef, Schema.ClassDef>>,
  Expect<Same<Sdk.ClassDefInput, Schema.ClassDefInput>>,
  Expect<Same<Sdk.Format, Schema.Format>>,
  Expect<Same<Sdk.StatusFilter, Schema.StatusFilter>>,
  Expect<Same<Sdk.ExportStatus, Schema.ExportStatus>>,
  Expect<Same<Sdk.ImageStatus, Schema.ImageStatus>>,
  Expect<Same<Sdk.Split, Schema.Split>>,
  Expect<Same<Sdk.Role, Schema.Role>>,
  Expect<Same<Sdk.Issue, Schema.Issue>>,
  Expect<Same<Sdk.ErrorBody["error"]["code"], string>>,

  // readExport's records are the canonical model, as the pictograph format writes it
  Expect<Same<CanonicalOf<Sdk.ExportedAnnotation>, Schema.Annotation>>,
  Expect<Same<Sdk.ExportManifest["classes"][number], Schema.ClassDef>>,
  Expect<
    Same<
      Omit<Sdk.ExportedImage, "image" | "image_path" | "annotation_count" | "annotations">,
      Schema.ImageRecord
    >
  >,
];

/** An exported annotation with the model's field names: `name` is `class_name`, no `id`. */
type CanonicalOf<A> = A extends { name: string; id: number }
  ? Omit<A, "id" | "name"> & { class_name: string }
  : never;
