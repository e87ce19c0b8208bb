// Admins manage API keys: a new key is shown once and works at once; a revoked one stops.
import { expect, server, signIn, test } from "./fixtures";
import { shoot } from "./screenshot";

test("an admin creates an API key, sees it once, and revokes it", async ({ page }) => {
  await signIn(page, server.admin());
  await page.getByRole("link", { name: "API keys" }).click();
  const form = page.getByRole("form", { name: "New API key" });
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(form.getByText("key name must be 1–120 characters")).toBeVisible();

  await form.getByLabel("Name").fill("training-server");
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByLabel("Key secret", { exact: true }).textContent())!.trim();
  const me = async () =>
    (await fetch(`${server.url}/api/v1/me`, { headers: { "x-api-key": key } })).status;
  expect(await me()).toBe(200);
  const row = page.getByRole("row").filter({ hasText: "training-server" });
  await expect(row).toContainText("viewer");
  await shoot(page, "api-keys");

  await row.getByRole("button", { name: "Revoke training-server" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toContainText("Revoked");
  expect(await me()).toBe(401);
  await page.reload();
  await expect(page.getByLabel("Key secret", { exact: true })).toHaveCount(0);
});
