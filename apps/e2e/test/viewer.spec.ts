// A viewer reads and downloads; nothing the viewer may not do is offered.
import { expect, rest, server, signIn, test } from "./fixtures";
import { shoot } from "./screenshot";

test.beforeAll(async () => {
  await rest("POST", "/datasets/demo/exports", {
    name: "for-viewers",
    format: "coco",
    include_images: false,
  });
  await expect
    .poll(
      async () =>
        (await rest<{ status: string }>("GET", "/datasets/demo/exports/for-viewers")).status,
      { timeout: 30_000 },
    )
    .toBe("completed");
});

test.afterAll(async () => {
  await rest("DELETE", "/datasets/demo/exports/for-viewers");
});

test("a viewer sees no create, import, delete or admin controls, and can download", async ({
  page,
}) => {
  await signIn(page, server.viewer());
  await expect(page.locator(".account")).toContainText("viewer");
  await expect(page.getByRole("button", { name: "New dataset" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "API keys" })).toHaveCount(0);

  await page.getByRole("link", { name: "demo", exact: true }).click();
  const tabs = page.getByRole("navigation", { name: "Dataset" });
  await expect(tabs.getByRole("link")).toHaveText(["Images", "Exports"]);

  await tabs.getByRole("link", { name: "Exports" }).click();
  const row = page.locator('tr[data-export="for-viewers"]');
  await expect(row).toHaveAttribute("data-status", "completed");
  await expect(page.getByRole("form", { name: "New export" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create export" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Delete/ })).toHaveCount(0);
  await shoot(page, "viewer-exports");
  const downloading = page.waitForEvent("download");
  await row.getByRole("button", { name: "Download for-viewers" }).click();
  expect((await downloading).suggestedFilename()).toMatch(/\.zip$/);

  // The image view shows the status; it does not offer to change it.
  await page.goto("/datasets/demo/image?path=day-east%2Fscene-02.png");
  await expect(page.getByRole("heading", { name: "day-east/scene-02.png" })).toBeVisible();
  await expect(page.getByLabel("Review status")).toHaveCount(0);
  await expect(
    page.getByRole("complementary", { name: "Image details" }).locator(".pill"),
  ).toHaveText("Complete");

  // Addresses typed by hand explain instead of failing.
  await page.goto("/datasets/demo/import");
  await expect(
    page.getByRole("heading", { name: "Importing needs the member role" }),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Upload and import" })).toHaveCount(0);
  await page.goto("/settings/api-keys");
  await expect(page.getByRole("heading", { name: "API keys are managed by admins" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create key" })).toHaveCount(0);
});
