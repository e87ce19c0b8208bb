// A member creates a dataset and fills it by importing a ZIP another tool wrote (here a YOLO
// export of the demo dataset): upload, watch it run, read the report, browse the result.
import { writeFileSync } from "node:fs";
import { expect, rest, server, signIn, test } from "./fixtures";
import { shoot } from "./screenshot";

test("create a dataset, import a YOLO ZIP into it and read the report", async ({
  page,
}, testInfo) => {
  await rest("POST", "/datasets/demo/exports", {
    name: "to-import",
    format: "yolo",
    status_filter: "all",
  });
  await expect
    .poll(
      async () =>
        (await rest<{ status: string }>("GET", "/datasets/demo/exports/to-import")).status,
      { timeout: 30_000 },
    )
    .toBe("completed");
  const { url } = await rest<{ url: string }>("GET", "/datasets/demo/exports/to-import/download");
  const zipPath = testInfo.outputPath("demo-yolo.zip");
  writeFileSync(zipPath, Buffer.from(await (await fetch(url)).arrayBuffer()));

  await signIn(page, server.admin());
  await page.getByRole("button", { name: "New dataset" }).click();
  const create = page.getByRole("form", { name: "New dataset" });
  await create.getByLabel("Name").fill("streets");
  await create.getByLabel("Description").fill("Imported from a YOLO export");
  await create.getByRole("button", { name: "Create dataset" }).click();
  await page.getByRole("link", { name: "streets", exact: true }).click();
  await expect(page.getByRole("heading", { name: "This dataset has no images yet" })).toBeVisible();
  await page.getByRole("link", { name: "Import a ZIP" }).click();

  await page.getByLabel("Format of the ZIP").selectOption("yolo");
  // No file chosen: said in the form, nothing sent.
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page.getByText("choose a ZIP file to import")).toBeVisible();
  await page.getByLabel("ZIP file").setInputFiles(zipPath);
  await page.getByRole("button", { name: "Upload and import" }).click();

  const report = page.locator(".import-report");
  await expect(report.locator(".pill")).toHaveText("Ready", { timeout: 30_000 });
  await expect(report.locator(".stats__item")).toHaveText([
    /Images\s*36/,
    /Annotations\s*\d+/,
    /Image files\s*36/,
    /Problems\s*\d+/,
  ]);
  await expect(
    page.getByRole("list", { name: "Imports, newest first" }).getByRole("listitem"),
  ).toHaveCount(1);
  // The dataset's header follows the import.
  await expect(page.locator(".page-subtitle")).toContainText("36 images");
  await shoot(page, "import-report");

  await page.getByRole("link", { name: "Images", exact: true }).click();
  await expect(page.getByRole("list", { name: "Images" }).getByRole("listitem")).toHaveCount(36);
  await rest("DELETE", "/datasets/demo/exports/to-import");
});
