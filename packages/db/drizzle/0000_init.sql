CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"role" text NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_hash_key" UNIQUE("hash"),
	CONSTRAINT "api_keys_role_check" CHECK ("api_keys"."role" IN ('viewer', 'member', 'admin')),
	CONSTRAINT "api_keys_name_check" CHECK (char_length("api_keys"."name") BETWEEN 1 AND 120)
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"workspace_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_pkey" PRIMARY KEY("workspace_id","user_id"),
	CONSTRAINT "memberships_role_check" CHECK ("memberships"."role" IN ('viewer', 'member', 'admin'))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sessions_token_hash_key" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"display_name" text DEFAULT '' NOT NULL,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workspaces_name_key" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "annotations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "annotations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"image_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"type" text NOT NULL,
	"geometry" jsonb NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"confidence" double precision,
	"occluded" boolean DEFAULT false NOT NULL,
	"z_order" integer DEFAULT 0 NOT NULL,
	"instance_id" integer,
	"joint" text,
	CONSTRAINT "annotations_image_id_position_key" UNIQUE("image_id","position"),
	CONSTRAINT "annotations_type_check" CHECK ("annotations"."type" IN ('bbox', 'polygon', 'polyline', 'keypoint')),
	CONSTRAINT "annotations_position_check" CHECK ("annotations"."position" >= 0),
	CONSTRAINT "annotations_confidence_check" CHECK ("annotations"."confidence" BETWEEN 0 AND 1),
	CONSTRAINT "annotations_keypoint_fields_check" CHECK ("annotations"."type" = 'keypoint' OR ("annotations"."instance_id" IS NULL AND "annotations"."joint" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "classes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"name" text NOT NULL,
	"color" text NOT NULL,
	"position" integer NOT NULL,
	"attributes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"keypoints" text[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "classes_dataset_id_name_key" UNIQUE("dataset_id","name"),
	CONSTRAINT "classes_dataset_id_position_key" UNIQUE("dataset_id","position"),
	CONSTRAINT "classes_position_check" CHECK ("classes"."position" >= 0),
	CONSTRAINT "classes_color_check" CHECK ("classes"."color" ~ '^#[0-9a-f]{6}$'),
	CONSTRAINT "classes_name_check" CHECK (char_length("classes"."name") BETWEEN 1 AND 120)
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "datasets_workspace_id_name_key" UNIQUE("workspace_id","name"),
	CONSTRAINT "datasets_id_workspace_id_key" UNIQUE("id","workspace_id"),
	CONSTRAINT "datasets_name_check" CHECK ("datasets"."name" ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')
);
--> statement-breakpoint
CREATE TABLE "images" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"path" text COLLATE "C" NOT NULL,
	"path_stem" text COLLATE "C" GENERATED ALWAYS AS (regexp_replace(path, '([^/])\.[^./]*$', '\1')) STORED NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"split" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"sha256" text,
	"size_bytes" bigint,
	"mime" text,
	"blob_key" text,
	"annotation_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "images_dataset_id_path_key" UNIQUE("dataset_id","path"),
	CONSTRAINT "images_dataset_id_path_stem_key" UNIQUE("dataset_id","path_stem"),
	CONSTRAINT "images_status_check" CHECK ("images"."status" IN ('new', 'in_progress', 'complete')),
	CONSTRAINT "images_split_check" CHECK ("images"."split" IN ('train', 'val', 'test')),
	CONSTRAINT "images_size_check" CHECK ("images"."width" > 0 AND "images"."height" > 0),
	CONSTRAINT "images_annotation_count_check" CHECK ("images"."annotation_count" >= 0),
	CONSTRAINT "images_sha256_check" CHECK ("images"."sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "images_size_bytes_check" CHECK ("images"."size_bytes" >= 0)
);
--> statement-breakpoint
CREATE TABLE "exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"format" text NOT NULL,
	"include_images" boolean NOT NULL,
	"class_filter" text[],
	"status_filter" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"image_count" integer,
	"annotation_count" integer,
	"size_bytes" bigint,
	"sha256" text,
	"blob_key" text,
	"error_message" text,
	"idempotency_key" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"worker_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	CONSTRAINT "exports_dataset_id_name_key" UNIQUE("dataset_id","name"),
	CONSTRAINT "exports_workspace_id_idempotency_key_key" UNIQUE("workspace_id","idempotency_key"),
	CONSTRAINT "exports_format_check" CHECK ("exports"."format" IN ('pictograph', 'coco', 'yolo', 'cvat', 'pascal_voc', 'labelme', 'csv')),
	CONSTRAINT "exports_status_filter_check" CHECK ("exports"."status_filter" IN ('all', 'new', 'in_progress', 'complete')),
	CONSTRAINT "exports_status_check" CHECK ("exports"."status" IN ('pending', 'processing', 'completed', 'failed')),
	CONSTRAINT "exports_progress_check" CHECK ("exports"."progress" BETWEEN 0 AND 100),
	CONSTRAINT "exports_attempts_check" CHECK ("exports"."attempts" >= 0),
	CONSTRAINT "exports_class_filter_check" CHECK (cardinality("exports"."class_filter") > 0)
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"format" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"blob_key" text,
	"report" jsonb,
	"error_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	CONSTRAINT "imports_format_check" CHECK ("imports"."format" IN ('pictograph', 'coco', 'yolo', 'cvat', 'pascal_voc', 'labelme', 'csv')),
	CONSTRAINT "imports_status_check" CHECK ("imports"."status" IN ('pending', 'processing', 'completed', 'failed')),
	CONSTRAINT "imports_progress_check" CHECK ("imports"."progress" BETWEEN 0 AND 100),
	CONSTRAINT "imports_attempts_check" CHECK ("imports"."attempts" >= 0)
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_class_id_fkey" FOREIGN KEY ("class_id") REFERENCES "public"."classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classes" ADD CONSTRAINT "classes_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "images" ADD CONSTRAINT "images_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exports" ADD CONSTRAINT "exports_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exports" ADD CONSTRAINT "exports_dataset_fkey" FOREIGN KEY ("dataset_id","workspace_id") REFERENCES "public"."datasets"("id","workspace_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_dataset_fkey" FOREIGN KEY ("dataset_id","workspace_id") REFERENCES "public"."datasets"("id","workspace_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_workspace_id_created_at_idx" ON "api_keys" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "memberships_user_id_idx" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "annotations_class_id_idx" ON "annotations" USING btree ("class_id");--> statement-breakpoint
CREATE INDEX "images_dataset_id_status_path_idx" ON "images" USING btree ("dataset_id","status","path");--> statement-breakpoint
CREATE INDEX "exports_workspace_id_created_at_id_idx" ON "exports" USING btree ("workspace_id","created_at" desc,"id" desc);--> statement-breakpoint
CREATE INDEX "exports_dataset_id_created_at_id_idx" ON "exports" USING btree ("dataset_id","created_at" desc,"id" desc);--> statement-breakpoint
CREATE INDEX "imports_dataset_id_created_at_idx" ON "imports" USING btree ("dataset_id","created_at" desc);