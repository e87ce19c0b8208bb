// A dataset of large survey tiles with many-sided fields that have ponds cut out of them:
// COCO writes holed polygons as RLE, column by column across the tile, so its export does
// real work. The tests that catch a build in progress hold it with held-read.ts, not by
// counting on this work taking long.
import { encodePng } from "@pictograph/formats";
import { rest } from "./fixtures";

const WIDTH = 8000;
const HEIGHT = 6000;

/** A gray 8-bit PNG with soft horizontal bands: large in pixels, small in bytes. */
function tilePng(): Buffer {
  const pixels = new Uint8Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++)
    pixels.fill(90 + Math.round(40 * Math.sin(y / 300)), y * WIDTH, (y + 1) * WIDTH);
  return encodePng({ width: WIDTH, height: HEIGHT, channels: 1, pixels }, { level: 1 });
}

function ring(cx: number, cy: number, rx: number, ry: number, points: number) {
  return Array.from({ length: points }, (_, i) => {
    const angle = (2 * Math.PI * i) / points;
    return {
      x: Math.round((cx + rx * Math.cos(angle)) * 10) / 10,
      y: Math.round((cy + ry * Math.sin(angle)) * 10) / 10,
    };
  });
}

export async function createAerialDataset(options: {
  tiles: number;
  fieldsPerTile: number;
  points: number;
}) {
  await rest("POST", "/datasets", {
    name: "aerial",
    description: "Survey tiles, 8000 × 6000: fields with ponds cut out.",
    classes: [
      { name: "field", color: "#3cb44b" },
      { name: "pond", color: "#4363d8" },
    ],
  });
  const png = tilePng();
  const images = [];
  for (let t = 1; t <= options.tiles; t++) {
    const path = `tiles/tile-${String(t).padStart(2, "0")}.png`;
    await rest(
      "PUT",
      `/datasets/aerial/images/${path}?status=complete&split=train`,
      new Uint8Array(png),
      "image/png",
    );
    const annotations = Array.from({ length: options.fieldsPerTile }, (_, f) => {
      const cy = 600 + ((HEIGHT - 1200) * (f + 0.5)) / options.fieldsPerTile;
      return {
        type: "polygon",
        class_name: "field",
        polygon: {
          paths: [
            ring(WIDTH / 2, cy, WIDTH * 0.45, 250, options.points),
            ring(WIDTH / 2 + 200, cy, 900, 120, options.points),
          ],
        },
      };
    });
    images.push({
      path,
      annotations: [
        ...annotations,
        { type: "bbox", class_name: "pond", bbox: { x: 100, y: 100, w: 400, h: 300 } },
      ],
    });
  }
  await rest("PUT", "/datasets/aerial/annotations", { images });
}
