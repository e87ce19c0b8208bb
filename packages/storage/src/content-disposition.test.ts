import { describe, expect, it } from "vitest";
import { formatAttachmentDisposition } from "./content-disposition";

describe("formatAttachmentDisposition", () => {
  it("gives ASCII names as they are", () => {
    expect(formatAttachmentDisposition("for-yolo.zip")).toBe(
      `attachment; filename="for-yolo.zip"; filename*=UTF-8''for-yolo.zip`,
    );
  });

  it("keeps quotes and backslashes from breaking out of the quoted fallback", () => {
    expect(formatAttachmentDisposition(`a"b\\c.zip`)).toBe(
      `attachment; filename="a_b_c.zip"; filename*=UTF-8''a%22b%5Cc.zip`,
    );
  });

  it("carries non-ASCII names exactly in filename*", () => {
    const header = formatAttachmentDisposition("日本語 (1).zip");
    expect(header).toContain(`filename="___ (1).zip"`);
    const encoded = /filename\*=UTF-8''(.*)$/.exec(header)?.[1] ?? "";
    expect(encoded).not.toMatch(/[ ()]/);
    expect(decodeURIComponent(encoded)).toBe("日本語 (1).zip");
  });
});
