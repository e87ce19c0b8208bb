// Screenshots of the main pages on every run (test-results/*.png), at laptop and phone
// width, with the checks that make them worth looking at: images loaded, overlays drawn, an
// export caught while it builds, and no page wider than the screen.
import { createAerialDataset } from "./aerial-dataset";
import { holdImageRead } from "./held-read";
import { expect, rest, server, signIn, test } from "./fixtures";
import { loadAllImages, PHONE, shoot } from "./screenshot";

async function waitForExport(name: string) {
  await expect
    .poll(
      async () =>
        (await rest<{ status: string }>("GET", `/datasets/aerial/exports/${name}`)).status,
      { timeout: 60_000 },
    )
    .toBe("completed");
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(90_000);
  await createAerialDataset({ tiles: 12, fieldsPerTile: 6, points: 1000 });
  await rest("POST", "/datasets/aerial/exports", {
    name: "fields-yolo",
    format: "yolo",
    class_filter: ["field"],
  });
  await waitForExport("fields-yolo");
  await rest("POST", "/datasets/aerial/exports", {
    name: "survey-full",
    format: "pictograph",
    include_images: false,
    status_filter: "all",
  });
  await waitForExport("survey-full");
});

test("datasets and the image grid with overlays", async ({ page }) => {
  await signIn(page, server.admin());
  await expect(page.getByRole("link", { name: "aerial", exact: true })).toBeVisible();
  await shoot(page, "datasets");

  await page.goto("/datasets/demo");
  await expect(page.getByRole("list", { name: "Images" }).getByRole("listitem")).toHaveCount(36);
  await loadAllImages(page);
  await shoot(page, "dataset-grid");

  await page.getByRole("link", { name: /day-west\/scene-13\.png/ }).click();
  await loadAllImages(page);
  await expect(page.locator(".annotation-list__item").first()).toBeVisible();
  await page.locator(".annotation-list__item").first().hover();
  await shoot(page, "image-view");
});

test("exports with one building, then deleted while it builds", async ({ page }) => {
  await signIn(page, server.admin());
  await page.goto("/datasets/aerial/exports");
  // The build cannot finish before the test has deleted it: one image file's read hangs.
  const held = await holdImageRead("aerial");
  try {
    const form = page.getByRole("form", { name: "New export" });
    await form.getByLabel("Name").fill("fields-coco");
    await form.getByRole("radio", { name: /^COCO/ }).check();
    await form.getByRole("checkbox", { name: "Include image files" }).check();
    await form.getByRole("button", { name: "Create export" }).click();
    const row = page.locator('tr[data-export="fields-coco"]');
    await expect(row).toHaveAttribute("data-status", "processing", { timeout: 30_000 });
    await expect(page.getByText("1 export building · updating live")).toBeVisible();
    // A picture with some progress is worth a moment's wait; the test does not depend on it.
    await row
      .getByRole("progressbar")
      .and(page.locator(':not([aria-valuenow="0"])'))
      .waitFor({ timeout: 2000 })
      .catch(() => undefined);
    await expect(row).toHaveAttribute("data-status", "processing");
    // A building row takes exactly the room of a finished one: no shift when it completes.
    const cellBoxes = async (name: string) =>
      Promise.all(
        (await page.locator(`tr[data-export="${name}"] td`).all()).map(async (cell) => {
          const box = (await cell.boundingBox())!;
          return { x: box.x, width: box.width, height: box.height };
        }),
      );
    expect(await cellBoxes("fields-coco")).toEqual(await cellBoxes("survey-full"));
    await page.mouse.move(0, 0);
    await shoot(page, "exports-building");

    // Deleting a build in progress cancels it: at once, while it still builds.
    await row.getByRole("button", { name: "Delete fields-coco" }).click();
    await expect(page.getByRole("dialog")).toContainText("The build is cancelled");
    await page.getByRole("button", { name: "Delete export" }).click();
    await expect(row).toHaveCount(0);
    await expect(page.locator("tr[data-export]")).toHaveCount(2);
  } finally {
    held.release();
  }
  // The cancelled build is gone for good, and the server took its hung read in its stride.
  const exports = await rest<{ data: { name: string }[] }>("GET", "/exports?dataset=aerial");
  expect(exports.data.map((e) => e.name).sort()).toEqual(["fields-yolo", "survey-full"]);

  await page.setViewportSize(PHONE);
  await shoot(page, "phone-exports");
  await page.setViewportSize({ width: 1280, height: 800 });
});

test("phone width: datasets and the grid", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, server.admin());
  await shoot(page, "phone-datasets");
  await page.goto("/datasets/demo?status=complete");
  await expect(
    page.getByRole("list", { name: "Images" }).getByRole("listitem").first(),
  ).toBeVisible();
  await loadAllImages(page);
  await shoot(page, "phone-grid");
});
