// The export journey of a member: open the demo dataset, create a YOLO export of two classes,
// watch it build without reloading, download it, check the ZIP's files, delete it.
import { readFileSync } from "node:fs";
import { expect, rest, server, signIn, test } from "./fixtures";
import { readZipEntries } from "./zip-entries";

test("create a YOLO export with a class filter, watch it complete, download, unzip and delete it", async ({
  page,
}, testInfo) => {
  await signIn(page, server.admin());
  await page.getByRole("link", { name: "demo", exact: true }).click();
  await expect(page.getByRole("heading", { name: "demo", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Exports", exact: true }).click();

  const form = page.getByRole("form", { name: "New export" });
  await form.getByLabel("Name").fill("yolo-cars-people");
  await form.getByRole("radio", { name: /^YOLO/ }).check();
  await form.getByLabel("Images with status").selectOption("all");
  await form.getByRole("checkbox", { name: "All classes" }).uncheck();
  await form.getByRole("checkbox", { name: "car", exact: true }).check();
  await form.getByRole("checkbox", { name: "person", exact: true }).check();
  // Marks this page: it must still be there when the export completes (no reload).
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  await form.getByRole("button", { name: "Create export" }).click();
  await expect(form.getByRole("status")).toHaveText(
    "Export “yolo-cars-people” created; it is being built.",
  );

  const row = page.locator('tr[data-export="yolo-cars-people"]');
  await expect(row).toBeVisible();
  await expect(row).toContainText("YOLO · with images · car, person · all statuses");
  await expect(row.getByRole("cell").nth(1)).toHaveText(/Queued|Building|Ready/);
  const cells = row.getByRole("cell");
  const layout = async () =>
    Promise.all((await cells.all()).map(async (cell) => await cell.boundingBox()));
  const before = await layout();
  await expect(row).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  // Nothing moved while the status, progress, counts and buttons changed.
  expect(await layout()).toEqual(before);
  await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await expect(row.locator('td[data-label="Images"]')).toHaveText("36");
  await expect(row.locator('td[data-label="Size"]')).toHaveText(/KB|MB/);
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(
    true,
  );

  // Every click asks the API for a fresh signed URL.
  const asked = page.waitForRequest((request) =>
    request.url().includes("/api/trpc/exports.download"),
  );
  const downloading = page.waitForEvent("download");
  await row.getByRole("button", { name: "Download yolo-cars-people" }).click();
  await asked;
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.zip$/);
  const path = testInfo.outputPath("yolo-cars-people.zip");
  await download.saveAs(path);

  const zip = readZipEntries(readFileSync(path));
  const names = [...zip.keys()];
  expect(zip.get("classes.txt")?.toString()).toBe("car\nperson\n");
  const yaml = zip.get("data.yaml")!.toString();
  expect(yaml).toMatch(/nc: 2/);
  expect(yaml).toMatch(/\b0: "?car"?\n/);
  expect(yaml).toMatch(/\b1: "?person"?\n/);
  expect(yaml).not.toMatch(/building|lane|traffic/);
  expect(names).toContain("README.txt");
  const images = names.filter((n) => n.startsWith("images/") && n.endsWith(".png"));
  const labels = names.filter((n) => n.startsWith("labels/") && n.endsWith(".txt"));
  expect(images).toHaveLength(36);
  expect(labels).toHaveLength(36);
  expect(labels).toContain("labels/train/day-east/scene-02.txt");
  // Image bytes are the uploaded PNGs; every label line is class 0 or 1 with four normalised numbers.
  expect(zip.get("images/train/day-east/scene-02.png")!.subarray(1, 4).toString()).toBe("PNG");
  const lines = labels.flatMap((l) => zip.get(l)!.toString().split("\n").filter(Boolean));
  expect(lines.length).toBeGreaterThan(36);
  for (const line of lines) expect(line).toMatch(/^[01]( (0|1|0\.\d{1,6}|1\.0+)){4}$/);
  expect(zip.get("labels/train/empty-street.txt")?.toString()).toBe("");

  // Delete: asks first; Cancel keeps it, confirming removes it here and in the API.
  await row.getByRole("button", { name: "Delete yolo-cars-people" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete export “yolo-cars-people”?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Delete yolo-cars-people" }).click();
  await dialog.getByRole("button", { name: "Delete export" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveCount(0);
  await expect(rest("GET", "/datasets/demo/exports/yolo-cars-people")).rejects.toThrow(/404/);
});
