"""client.datasets and client.images against the real server: create a dataset, upload image
files (bytes, a path, a file object), and find them in an export."""

from __future__ import annotations

import hashlib
import io
import tempfile
import unittest
import zipfile
from pathlib import Path

from support import POLL, live_server, png_bytes

from pictograph import ConflictError, NotFoundError


class DatasetsAndImagesTest(unittest.TestCase):
    def test_upload_images_and_export_them(self) -> None:
        client = live_server().client()
        created = client.datasets.create("uploads", description="from Python", classes=[{"name": "car", "color": "#FF0000"}])
        self.assertEqual((created.name, created.description, created.image_counts.total), ("uploads", "from Python", 0))
        with self.assertRaises(ConflictError):
            client.datasets.create("uploads")

        red, blue, green = png_bytes(32, 24, (255, 0, 0)), png_bytes(16, 16, (0, 0, 255)), png_bytes(8, 8, (0, 255, 0))
        first = client.images.upload("uploads", "batch 1/red.png", red, status="complete", split="train")
        self.assertEqual((first.path, first.width, first.height, first.status, first.split), ("batch 1/red.png", 32, 24, "complete", "train"))
        self.assertEqual(first.sha256, hashlib.sha256(red).hexdigest())
        with tempfile.TemporaryDirectory() as directory:
            on_disk = Path(directory) / "blue.png"
            on_disk.write_bytes(blue)
            second = client.images.upload("uploads", "blue.png", on_disk, status="complete", split="train")
        self.assertEqual((second.size_bytes, second.mime), (len(blue), "image/png"))
        third = client.images.upload("uploads", "green.png", io.BytesIO(green))
        self.assertEqual((third.width, third.status), (8, "new"))

        counts = client.datasets.get("uploads").image_counts
        self.assertEqual((counts.total, counts.complete, counts.new), (3, 2, 1))
        names = [dataset.name for dataset in client.datasets.iter(page_size=1)]
        self.assertEqual(len(names), len(set(names)))
        self.assertTrue({"demo", "uploads"} <= set(names))

        export = client.exports.create("uploads", "with-images", format="yolo", poll_interval=POLL)
        self.assertEqual(export.image_count, 2)
        with zipfile.ZipFile(io.BytesIO(client.exports.download("uploads", "with-images"))) as archive:
            self.assertEqual(archive.read("images/train/batch 1/red.png"), red)
            self.assertEqual(archive.read("images/train/blue.png"), blue)

    def test_a_missing_dataset_is_not_found(self) -> None:
        client = live_server().client()
        with self.assertRaises(NotFoundError):
            client.datasets.get("no-such-dataset")
        with self.assertRaises(NotFoundError):
            client.images.upload("no-such-dataset", "x.png", png_bytes(4, 4))


if __name__ == "__main__":
    unittest.main()
