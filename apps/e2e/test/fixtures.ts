// What every browser test starts from: the server global-setup started, a way to sign in as
// the admin or the viewer, and a REST client (admin API key) to arrange data quickly.
import { expect, test as base, type Page } from "@playwright/test";

export type Account = { email: string; password: string };

export const server = {
  get url() {
    return required("E2E_URL");
  },
  get apiKey() {
    return required("E2E_API_KEY");
  },
  /** The server's data directory (embedded mode: its database and local storage). */
  get dataDir() {
    return required("E2E_DATA_DIR");
  },
  admin: (): Account => ({
    email: "admin@pictograph.local",
    password: required("E2E_ADMIN_PASSWORD"),
  }),
  viewer: (): Account => ({
    email: required("E2E_VIEWER_EMAIL"),
    password: required("E2E_VIEWER_PASSWORD"),
  }),
};

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run the tests through playwright.config.ts (its global setup)`,
    );
  return value;
}

/** Calls the REST API as the workspace admin (for arranging data, not for what is tested). */
export async function rest<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      "x-api-key": server.apiKey,
      ...(body === undefined ? {} : { "content-type": contentType }),
    },
    body:
      body === undefined
        ? undefined
        : body instanceof Uint8Array
          ? (body as Uint8Array<ArrayBuffer>)
          : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function signIn(page: Page, account: Account) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Datasets", level: 1 })).toBeVisible();
}

export const test = base.extend({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  baseURL: async ({}, use) => use(server.url),
  page: async ({ page }, use) => {
    // The UI reports problems in place; an alert() or confirm() would be a defect.
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await use(page);
    expect(dialogs, "browser dialogs opened by the page").toEqual([]);
  },
});

export { expect };
