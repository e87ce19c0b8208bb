// Tenancy and access: workspaces, the people and keys that act in them, and web sessions.
import { ROLES } from "@pictograph/schema";
import { sql } from "drizzle-orm";
import {
  check,
  index,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { checkOneOf, createdAt, optionalTimestamp, uuidPrimaryKey } from "./columns";

export const workspaces = pgTable(
  "workspaces",
  {
    id: uuidPrimaryKey(),
    name: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique("workspaces_name_key").on(t.name)],
);

export const users = pgTable(
  "users",
  {
    id: uuidPrimaryKey(),
    email: text().notNull(),
    displayName: text().notNull().default(""),
    /** Null for users who only sign in some other way (or not yet). */
    passwordHash: text(),
    createdAt: createdAt(),
  },
  // One account per address, whatever its capitalisation.
  (t) => [uniqueIndex("users_email_key").on(sql`lower(${t.email})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text({ enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "memberships_pkey", columns: [t.workspaceId, t.userId] }),
    index("memberships_user_id_idx").on(t.userId),
    checkOneOf("memberships_role_check", t.role, ROLES),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: uuidPrimaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The workspace the session acts in. */
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** SHA-256 of the cookie token; the token itself is never stored. */
    tokenHash: text().notNull(),
    createdAt: createdAt(),
    expiresAt: optionalTimestamp().notNull(),
  },
  (t) => [
    unique("sessions_token_hash_key").on(t.tokenHash),
    index("sessions_user_id_idx").on(t.userId),
    index("sessions_expires_at_idx").on(t.expiresAt),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuidPrimaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** The first characters of the key, shown in lists so people can tell keys apart. */
    prefix: text().notNull(),
    /** SHA-256 of the whole key; the key itself is shown once and never stored. */
    hash: text().notNull(),
    role: text({ enum: ROLES }).notNull(),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: optionalTimestamp(),
    revokedAt: optionalTimestamp(),
  },
  (t) => [
    unique("api_keys_hash_key").on(t.hash),
    index("api_keys_workspace_id_created_at_idx").on(t.workspaceId, t.createdAt),
    checkOneOf("api_keys_role_check", t.role, ROLES),
    check("api_keys_name_check", sql`char_length(${t.name}) BETWEEN 1 AND 120`),
  ],
);

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
