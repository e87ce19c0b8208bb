"""The contract scenario against a real Pictograph server (the same one the TypeScript SDK's
tests run): every format with wait, the published example, duplicate → 409, unknown format
→ 422, missing → 404, wait=False then wait_for_completion, list/iter over pages, download
and unzip, poll timeout, delete. The server's `demo` dataset has 25 complete images."""

from __future__ import annotations

import hashlib
import io
import tempfile
import unittest
import urllib.error
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional, Tuple

from support import POLL, live_server

from pictograph import (
    AuthenticationError,
    Client,
    ConflictError,
    Export,
    NotFoundError,
    PermissionDeniedError,
    PollTimeoutError,
    ValidationError,
)

DEMO_COMPLETE_IMAGES = 25

# What each format's ZIP must hold besides README.txt (FORMATS.md D6–D12).
FORMAT_MARKERS = {
    "pictograph": ("manifest.json", "annotations/"),
    "coco": ("annotations/instances_",),
    "yolo": ("data.yaml", "classes.txt", "labels/"),
    "cvat": ("annotations.xml",),
    "pascal_voc": ("labelmap.txt", "Annotations/", "ImageSets/Main/"),
    "labelme": (".json",),
    "csv": ("annotations.csv",),
}


def setUpModule() -> None:
    live_server()


def client() -> Client:
    return live_server().client()


def zip_names(data: bytes) -> List[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        bad = archive.testzip()
        if bad is not None:
            raise AssertionError(f"{bad} fails its CRC check")
        return archive.namelist()


class CreateAndWaitTest(unittest.TestCase):
    def test_every_format_completes_with_counts_and_a_valid_zip(self) -> None:
        exports = client().exports

        def build(format: str) -> Tuple[Export, bytes]:
            created = exports.create("demo", f"every-{format}", format=format, include_images=False, poll_interval=POLL, timeout=120)
            return created, exports.download("demo", created.name)

        with ThreadPoolExecutor(max_workers=len(FORMAT_MARKERS)) as pool:
            results = dict(zip(FORMAT_MARKERS, pool.map(build, FORMAT_MARKERS)))
        for format, (export, data) in results.items():
            with self.subTest(format=format):
                self.assertEqual(export.status, "completed")
                self.assertEqual(export.format, format)
                self.assertEqual(export.progress, 100)
                self.assertEqual(export.image_count, DEMO_COMPLETE_IMAGES)
                self.assertGreater(export.annotation_count or 0, 0)
                self.assertEqual(export.size_bytes, len(data))
                self.assertEqual(export.sha256, hashlib.sha256(data).hexdigest())
                self.assertTrue(export.download_url and export.download_url.startswith("http"))
                self.assertIsNotNone(export.completed_at)
                names = zip_names(data)
                self.assertIn("README.txt", names)
                for marker in FORMAT_MARKERS[format]:
                    self.assertTrue(any(marker in name for name in names), f"{format}: no member with {marker!r}")
                self.assertFalse(any(name.startswith("images/") for name in names), "include_images=False")

    def test_the_published_example(self) -> None:
        # The contract's call, on the demo dataset (which has no "truck" class).
        cl = client()
        export = cl.exports.create(
            "demo", "for-yolov8", format="yolo", include_images=True,
            class_filter=["car", "person"], status_filter="complete",
            wait=True, poll_interval=POLL, timeout=600.0,
        )  # fmt: skip
        self.assertEqual((export.status, export.image_count), ("completed", DEMO_COMPLETE_IMAGES))
        self.assertEqual(export.class_filter, ["car", "person"])
        unfiltered = cl.exports.create("demo", "for-yolov8-all", format="yolo", include_images=False, poll_interval=POLL)
        self.assertLess(export.annotation_count or 0, unfiltered.annotation_count or 0, "class_filter dropped the other classes")

        with tempfile.TemporaryDirectory() as directory:
            target = Path(directory) / "demo.zip"
            returned = cl.exports.download("demo", "for-yolov8", output_path=target)
            self.assertEqual(returned, target)
            with zipfile.ZipFile(target) as archive:
                self.assertIsNone(archive.testzip())
                names = archive.namelist()
                data_yaml = archive.read("data.yaml").decode()
                labels = {name: archive.read(name).decode() for name in names if name.startswith("labels/") and name.endswith(".txt")}
        images = [name for name in names if name.startswith("images/") and name.endswith(".png")]
        self.assertEqual(len(images), DEMO_COMPLETE_IMAGES)
        self.assertEqual(len(labels), DEMO_COMPLETE_IMAGES, "one label file per image, empty ones too")
        self.assertIn("nc:", data_yaml)
        car, person = _class_index(data_yaml, "car"), _class_index(data_yaml, "person")
        lines = [line.split() for text in labels.values() for line in text.splitlines() if line.strip()]
        self.assertEqual(len(lines), export.annotation_count)
        for fields in lines:
            self.assertEqual(len(fields), 5)
            self.assertIn(int(fields[0]), {car, person})
            self.assertTrue(all(0.0 <= float(value) <= 1.0 for value in fields[1:]), fields)

    def test_wait_false_then_wait_for_completion(self) -> None:
        exports = client().exports
        pending = exports.create("demo", "later", format="coco", wait=False)
        self.assertIn(pending.status, ("pending", "processing"))
        self.assertIsNone(pending.download_url)
        done = exports.wait_for_completion("demo", "later", timeout=120, poll_interval=POLL)
        self.assertEqual((done.id, done.status), (pending.id, "completed"))
        self.assertEqual(exports.get("demo", "later").status, "completed")

    def test_a_wait_that_runs_out_raises_poll_timeout_and_the_export_keeps_building(self) -> None:
        exports = client().exports
        with self.assertRaises(PollTimeoutError) as raised:
            exports.create("demo", "impatient", include_images=True, timeout=0.01, poll_interval=0.005)
        error = raised.exception
        self.assertEqual(error.status, 408)
        self.assertEqual((error.export.dataset_name, error.export.name), ("demo", "impatient"))
        self.assertIn(error.export.status, ("pending", "processing"))
        self.assertGreaterEqual(error.waited_seconds, 0.01)
        self.assertLess(error.waited_seconds, 5)
        self.assertIn("impatient", str(error))
        finished = exports.wait_for_completion("demo", "impatient", timeout=120, poll_interval=POLL)
        self.assertEqual(finished.status, "completed")


class ErrorsTest(unittest.TestCase):
    def test_a_duplicate_name_is_a_conflict(self) -> None:
        exports = client().exports
        exports.create("demo", "twice", include_images=False, wait=False)
        with self.assertRaises(ConflictError) as raised:
            exports.create("demo", "twice", include_images=False, wait=False)
        self.assertEqual(raised.exception.status, 409)
        self.assertEqual(raised.exception.code, "conflict")
        self.assertTrue(raised.exception.request_id)
        self.assertIn("twice", raised.exception.body["error"]["message"])

    def test_unknown_format_status_filter_or_class_is_a_validation_error(self) -> None:
        exports = client().exports
        with self.assertRaises(ValidationError) as raised:
            exports.create("demo", "bad-format", format="tiff", wait=False)
        self.assertEqual(raised.exception.status, 422)
        self.assertTrue(raised.exception.request_id)
        self.assertEqual(raised.exception.body["error"]["code"], "validation_error")
        self.assertIn("format", [issue.get("path") for issue in raised.exception.issues])
        with self.assertRaises(ValidationError):
            exports.create("demo", "bad-status", status_filter="reviewed", wait=False)
        with self.assertRaises(ValidationError) as unknown_class:
            exports.create("demo", "bad-class", class_filter=["car", "truck"], wait=False)
        self.assertIn("truck", str(unknown_class.exception))
        with self.assertRaises(NotFoundError):
            exports.get("demo", "bad-format")

    def test_a_missing_dataset_or_export_is_not_found(self) -> None:
        exports = client().exports
        for call in (
            lambda: exports.get("demo", "no-such-export"),
            lambda: exports.get("no-such-dataset", "x"),
            lambda: exports.create("no-such-dataset", "x", wait=False),
            lambda: exports.download("demo", "no-such-export"),
            lambda: exports.delete("demo", "no-such-export"),
        ):
            with self.assertRaises(NotFoundError) as raised:
                call()
            self.assertEqual(raised.exception.status, 404)
            self.assertEqual(raised.exception.code, "not_found")
            self.assertTrue(raised.exception.request_id)

    def test_a_wrong_key_is_an_authentication_error(self) -> None:
        wrong = Client(api_key="pk_not_a_real_key", base_url=live_server().url)
        with self.assertRaises(AuthenticationError) as raised:
            wrong.exports.list()
        self.assertEqual(raised.exception.status, 401)

    def test_a_viewer_may_not_delete(self) -> None:
        server = live_server()
        created = server.call("POST", "/api-keys", {"name": "viewer", "role": "viewer"})
        viewer = Client(api_key=created["key"], base_url=server.url)
        client().exports.create("demo", "kept", include_images=False, wait=False)
        self.assertEqual(viewer.exports.get("demo", "kept").name, "kept")
        with self.assertRaises(PermissionDeniedError) as raised:
            viewer.exports.delete("demo", "kept")
        self.assertEqual(raised.exception.status, 403)
        self.assertEqual(client().exports.get("demo", "kept").name, "kept")


class ListTest(unittest.TestCase):
    def test_iter_walks_every_page_and_list_returns_one(self) -> None:
        cl = client()
        cl.datasets.create("paging", classes=[{"name": "car", "color": "#ff0000"}])
        names = [f"page-{i}" for i in range(5)]
        for name in names:
            cl.exports.create("paging", name, include_images=False, status_filter="all", wait=False)

        seen = [export.name for export in cl.exports.iter(page_size=2, dataset="paging")]
        self.assertEqual(sorted(seen), names, "each export exactly once across 3 pages")

        first = cl.exports.list(limit=2, dataset="paging")
        self.assertEqual(len(first), 2)
        self.assertIsNotNone(first.next_cursor)
        second = cl.exports.list(limit=2, dataset="paging", cursor=first.next_cursor)
        third = cl.exports.list(limit=2, dataset="paging", cursor=second.next_cursor)
        self.assertEqual([e.name for page in (first, second, third) for e in page], seen, "newest first, as iter")
        self.assertIsNone(third.next_cursor)
        everywhere = {(e.dataset_name, e.name) for e in cl.exports.iter(page_size=3)}
        self.assertTrue({("paging", name) for name in names} <= everywhere)


class DownloadAndDeleteTest(unittest.TestCase):
    def test_download_streams_to_a_part_file_reports_progress_and_renames(self) -> None:
        exports = client().exports
        export = exports.create("demo", "to-disk", include_images=True, poll_interval=POLL)
        calls: List[Tuple[int, Optional[int]]] = []
        part_seen: List[bool] = []
        with tempfile.TemporaryDirectory() as directory:
            target = Path(directory) / "demo.zip"

            def progress(done: int, total: Optional[int]) -> None:
                calls.append((done, total))
                part_seen.append(target.with_name("demo.zip.part").exists() and not target.exists())

            exports.download("demo", "to-disk", output_path=target, progress=progress, chunk_size=16 * 1024)
            data = target.read_bytes()
            self.assertEqual(sorted(p.name for p in Path(directory).iterdir()), ["demo.zip"])
        size = export.size_bytes
        self.assertEqual(len(data), size)
        self.assertEqual(hashlib.sha256(data).hexdigest(), export.sha256)
        self.assertGreater(len(calls), 3, "several chunks")
        self.assertEqual(calls[0], (0, size))
        self.assertEqual(calls[-1], (size, size))
        self.assertEqual([done for done, _ in calls], sorted(done for done, _ in calls))
        self.assertTrue(all(part_seen), "bytes go to demo.zip.part until the download is complete")
        self.assertEqual(exports.download("demo", "to-disk"), data, "without output_path: the bytes")

    def test_a_download_before_completion_is_a_conflict(self) -> None:
        exports = client().exports
        exports.create("demo", "not-yet", include_images=True, wait=False)
        with self.assertRaises(ConflictError) as raised:
            exports.download_link("demo", "not-yet")
        self.assertIn("completed", str(raised.exception))

    def test_delete_removes_the_export_and_its_zip(self) -> None:
        exports = client().exports
        export = exports.create("demo", "short-lived", include_images=False, poll_interval=POLL)
        link = exports.download_link("demo", "short-lived")
        self.assertEqual(link.size_bytes, export.size_bytes)
        self.assertIsNone(exports.delete("demo", "short-lived"))
        with self.assertRaises(NotFoundError):
            exports.get("demo", "short-lived")
        with self.assertRaises(urllib.error.HTTPError) as gone:
            urllib.request.urlopen(link.url, timeout=10)
        self.assertEqual(gone.exception.code, 404)
        self.assertNotIn("short-lived", [e.name for e in exports.iter(dataset="demo")])


def _class_index(data_yaml: str, name: str) -> int:
    for line in data_yaml.splitlines():
        key, _, value = line.strip().partition(":")
        if key.isdigit() and value.strip().strip("'\"") == name:
            return int(key)
    raise AssertionError(f"{name} is not in data.yaml:\n{data_yaml}")


if __name__ == "__main__":
    unittest.main()
