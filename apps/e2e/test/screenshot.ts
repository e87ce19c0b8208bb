// Full-page screenshots under test-results/ (kept after every run, for people to look at),
// taken only once the page is worth looking at and never of a page wider than its screen.
import type { Page } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { expect } from "./fixtures";

const SHOTS = fileURLToPath(new URL("../test-results/", import.meta.url));
export const PHONE = { width: 390, height: 844 };

export async function shoot(page: Page, name: string) {
  // The header is sticky: from the top, a full-page capture shows it once, where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${name}: the page is wider than the screen`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** Lazy images load only when scrolled to; a full-page screenshot wants them all. */
export async function loadAllImages(page: Page) {
  await page.evaluate(() =>
    document.querySelectorAll("img").forEach((img) => (img.loading = "eager")),
  );
  await expect
    .poll(() =>
      page.evaluate(() =>
        [...document.querySelectorAll("img")].every((img) => img.complete && img.naturalWidth > 0),
      ),
    )
    .toBe(true);
}
