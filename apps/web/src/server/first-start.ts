// Embedded mode's first start: a `default` workspace, an admin API key and an admin user
// whose secrets are written into the data directory (mode 0600), and the demo dataset.
// Every step is skipped when its result exists, so later starts change nothing.
import { runAdminCommand, issueApiKey } from "@pictograph/api";
import { createWorkspace, getUserByEmail, getWorkspaceByName, type Db } from "@pictograph/db";
import type { BlobStore } from "@pictograph/storage";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureDemoDataset } from "./demo-dataset";

export const DEFAULT_WORKSPACE = "default";
export const ADMIN_EMAIL = "admin@pictograph.local";
export const ADMIN_KEY_FILE = "admin-api-key";
export const ADMIN_PASSWORD_FILE = "admin-password";

export async function firstStart(params: {
  db: Db;
  storage: BlobStore;
  dataDir: string;
  log(line: string): void;
}) {
  const { db, dataDir, log } = params;
  const workspace =
    (await getWorkspaceByName(db, { name: DEFAULT_WORKSPACE })) ??
    (await createWorkspace(db, { name: DEFAULT_WORKSPACE }));

  const keyFile = join(dataDir, ADMIN_KEY_FILE);
  if (!existsSync(keyFile)) {
    const { key } = await issueApiKey(db, {
      workspaceId: workspace.id,
      role: "admin",
      name: "first start",
    });
    await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
    log(`admin API key written to ${keyFile}`);
  }

  const passwordFile = join(dataDir, ADMIN_PASSWORD_FILE);
  if (!(await getUserByEmail(db, { email: ADMIN_EMAIL }))) {
    const password = randomBytes(12).toString("base64url");
    await runAdminCommand(db, {
      command: "create-user",
      email: ADMIN_EMAIL,
      password,
      workspace: DEFAULT_WORKSPACE,
      role: "admin",
    });
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    log(`web sign-in: ${ADMIN_EMAIL} with the password in ${passwordFile}`);
  }

  if (await ensureDemoDataset(db, params.storage, workspace.id)) log(`created the "demo" dataset`);
  return { workspaceId: workspace.id, keyFile, passwordFile };
}
