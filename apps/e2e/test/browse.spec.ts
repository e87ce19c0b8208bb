// Browsing: datasets with counts, the image grid with overlays and filters, one image with
// its annotations and a status change, the workspace switcher and signing out.
import { expect, rest, server, signIn, test } from "./fixtures";

test("the datasets list shows image counts by status", async ({ page }) => {
  await signIn(page, server.admin());
  const card = page
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { name: "demo" }) });
  await expect(card).toContainText("36 images");
  await expect(card.locator(".statusbar__item")).toHaveText([
    /Complete\s*\d+/,
    /In progress\s*\d+/,
    /New\s*\d+/,
  ]);
});

test("the grid draws every shape type and filters by status, split and class", async ({ page }) => {
  await signIn(page, server.admin());
  await page.goto("/datasets/demo");
  const cards = page.getByRole("list", { name: "Images" }).getByRole("listitem");
  await expect(cards).toHaveCount(36);
  const overlays = page.locator(".image-card svg.overlay");
  await expect(overlays.locator('[data-type="bbox"]').first()).toBeVisible();
  await expect(overlays.locator('[data-type="polyline"]').first()).toBeAttached();
  await expect(overlays.locator('[data-type="keypoint"]').first()).toBeAttached();
  // A building is a polygon with a hole: one path with two rings, filled even-odd.
  const building = overlays.locator('path[data-type="polygon"][data-class="building"]').first();
  await expect(building).toHaveAttribute("fill-rule", "evenodd");
  expect((await building.getAttribute("d"))!.match(/M/g)).toHaveLength(2);
  await expect(building).toHaveAttribute("stroke", "#f58231");

  await page.getByLabel("Status", { exact: true }).selectOption("new");
  await expect(page).toHaveURL(/status=new/);
  await expect(cards).toHaveCount(5);
  for (const pill of await cards.locator(".pill").all()) await expect(pill).toHaveText("New");

  await page.getByLabel("Status", { exact: true }).selectOption("");
  await page.getByLabel("Split", { exact: true }).selectOption("train");
  await page.getByLabel("Class", { exact: true }).selectOption("traffic light");
  await expect(page).toHaveURL(/split=train&class=traffic\+light$/);
  await expect(page.getByText(/^Showing \d+ of \d+ images? matching the filters$/)).toBeVisible();
  const count = await cards.count();
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThan(36);
  for (const card of await cards.all()) {
    await expect(card.locator(".tag").first()).toHaveText("train");
    await expect(card.locator('[data-class="traffic light"]').first()).toBeAttached();
  }
  await page.getByRole("button", { name: "Clear filters" }).first().click();
  await expect(cards).toHaveCount(36);
});

test("an image lists its annotations and a member changes its status", async ({ page }) => {
  await signIn(page, server.admin());
  await page.goto("/datasets/demo");
  await page.getByRole("link", { name: /day-east\/scene-02\.png/ }).click();
  await expect(page.getByRole("heading", { name: "day-east/scene-02.png" })).toBeVisible();
  const details = page.getByRole("complementary", { name: "Image details" });
  await expect(details.getByRole("listitem").filter({ hasText: "building" })).toContainText(
    "1 hole",
  );
  await expect(details.getByRole("listitem").filter({ hasText: "lane" })).toContainText("polyline");
  await expect(details.getByRole("listitem").filter({ hasText: "head at" })).toContainText(
    "instance",
  );

  const status = page.getByLabel("Review status");
  await expect(status).toHaveValue("complete");
  await status.selectOption("in_progress");
  await expect(details.getByRole("status")).toHaveText("Status saved: In progress");
  expect(
    (await rest<{ status: string }>("GET", "/datasets/demo/images/day-east/scene-02.png")).status,
  ).toBe("in_progress");
  await status.selectOption("complete");
  await expect(details.getByRole("status")).toHaveText("Status saved: Complete");
});

test("switching workspace shows that workspace, and signing out ends the session", async ({
  page,
}) => {
  await signIn(page, server.admin());
  await page.getByLabel("Workspace").selectOption("research");
  await expect(page.getByRole("heading", { name: "No datasets yet" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create a dataset" })).toBeVisible();
  // A member of research: no API keys there.
  await expect(page.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await page.getByLabel("Workspace").selectOption("default");
  await expect(page.getByRole("link", { name: "demo", exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/datasets/demo/exports");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
});
