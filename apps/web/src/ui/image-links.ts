// Addresses of image files and image pages. Each path segment is encoded on its own, so
// folders stay folders (`batch1/x.jpg`).

export function imageFileUrl(dataset: string, path: string): string {
  return `/api/v1/datasets/${encodeURIComponent(dataset)}/image-files/${path.split("/").map(encodeURIComponent).join("/")}`;
}

export function imagePageUrl(dataset: string, path: string): string {
  return `/datasets/${encodeURIComponent(dataset)}/image?path=${encodeURIComponent(path)}`;
}
