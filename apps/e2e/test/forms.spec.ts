// Forms work from the keyboard and report problems inline, in the words the API uses: the
// schema's message before sending, the API's message when the server refuses.
import { expect, rest, server, test } from "./fixtures";

test("sign-in works from the keyboard and shows a wrong password in the form", async ({ page }) => {
  await page.goto("/datasets");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdatasets$/);
  await expect(page.getByLabel("Email")).toBeFocused();
  await page.keyboard.type(server.admin().email);
  await page.keyboard.press("Tab");
  await page.keyboard.type("not-the-password");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("wrong email or password");
  await page.getByLabel("Password").fill(server.admin().password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/datasets$/);
});

test("the export form shows schema and API errors next to the field", async ({ page }) => {
  await rest("POST", "/datasets/demo/exports", {
    name: "taken",
    format: "csv",
    include_images: false,
  });
  await page.goto("/sign-in?next=%2Fdatasets%2Fdemo%2Fexports");
  await page.getByLabel("Email").fill(server.admin().email);
  await page.getByLabel("Password").fill(server.admin().password);
  await page.keyboard.press("Enter");
  const form = page.getByRole("form", { name: "New export" });
  const name = form.getByLabel("Name");

  // Refused before sending, with the schema's sentence, tied to the field.
  await name.fill("bad name!");
  await name.press("Enter");
  const nameRule =
    "export name must be 1–64 characters of a-z, A-Z, 0-9, '.', '_' or '-', starting with a letter or digit";
  await expect(form.getByText(nameRule)).toBeVisible();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription(
    new RegExp(nameRule.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
  );
  await expect(name).toBeFocused();

  await name.fill("no-classes");
  await form.getByRole("checkbox", { name: "All classes" }).uncheck();
  await form.getByRole("button", { name: "Create export" }).click();
  await expect(
    form.getByText("class_filter must name at least one class, or be null for all classes"),
  ).toBeVisible();
  await form.getByRole("checkbox", { name: "All classes" }).check();

  // Refused by the server (the name exists): the API's message, under the name.
  await name.fill("taken");
  await form.getByRole("button", { name: "Create export" }).click();
  await expect(form.getByText('export "taken" already exists in this dataset')).toBeVisible();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator('tr[data-export="taken"]')).toHaveCount(1);

  // Fixing the name clears the error and creates the export.
  await name.fill("taken-2");
  await form.getByRole("button", { name: "Create export" }).click();
  await expect(page.locator('tr[data-export="taken-2"]')).toBeVisible();
  await expect(form.getByText(/already exists/)).toHaveCount(0);
  await rest("DELETE", "/datasets/demo/exports/taken");
  await rest("DELETE", "/datasets/demo/exports/taken-2");
});
