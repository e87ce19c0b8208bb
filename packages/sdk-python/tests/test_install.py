"""`pip install ./packages/sdk-python` into a fresh virtual environment, offline, then the
README's quick start run unchanged by that environment's Python against the real server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

from support import PACKAGE_DIR, live_server, png_bytes

from pictograph import __version__


def readme_quick_start() -> str:
    readme = (PACKAGE_DIR / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert match, "README.md has no python example"
    # The repository's README shows the same example to Python users: it must not drift.
    root = (PACKAGE_DIR.parent.parent / "README.md").read_text(encoding="utf-8")
    assert match.group(0) in root, "the root README's Python example differs from the SDK's"
    return match.group(1)


class InstallTest(unittest.TestCase):
    directory: "tempfile.TemporaryDirectory[str]"
    python: Path

    @classmethod
    def setUpClass(cls) -> None:
        cls.directory = tempfile.TemporaryDirectory(prefix="pictograph-venv-")
        venv = Path(cls.directory.name) / "venv"
        created = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if created.returncode != 0:
            # Debian and Ubuntu ship venv's pip bootstrap separately.
            raise AssertionError(f"python3 -m venv failed (Debian/Ubuntu: apt-get install python3-venv):\n{created.stderr}")
        cls.python = venv / "bin" / "python"
        install = [str(cls.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        result = subprocess.run([*install, "--no-build-isolation", "--no-index", str(PACKAGE_DIR)], capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"pip install failed:\n{result.stdout}\n{result.stderr}")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.directory.cleanup()

    def run_python(self, code: str, cwd: Path, env: "dict[str, str] | None" = None) -> "subprocess.CompletedProcess[str]":
        # cwd outside the source tree, no PYTHONPATH: only the installed package can be imported.
        clean = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        return subprocess.run([str(self.python), "-c", code], cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=120)

    def test_the_installed_package_imports_with_its_type_marker(self) -> None:
        code = (
            "import json, pathlib, pictograph\n"
            "from pictograph import Client, NotFoundError, PollTimeoutError\n"
            "root = pathlib.Path(pictograph.__file__).parent\n"
            "print(json.dumps({'file': str(root), 'version': pictograph.__version__, 'typed': (root / 'py.typed').exists()}))\n"
        )
        result = self.run_python(code, Path(self.directory.name))
        self.assertEqual(result.returncode, 0, result.stderr)
        found = json.loads(result.stdout)
        self.assertIn("site-packages", found["file"])
        self.assertEqual(found["version"], __version__)
        self.assertTrue(found["typed"])

    def test_the_readme_quick_start_runs_unchanged(self) -> None:
        server = live_server()
        client = server.client()
        classes = [{"name": name, "color": color} for name, color in (("car", "#e6194b"), ("truck", "#3cb44b"), ("person", "#4363d8"))]
        client.datasets.create("my-dataset", description="the README's example", classes=classes)
        boxes = {"car": (10, 10, 40, 20), "truck": (60, 30, 50, 30), "person": (5, 5, 10, 30)}
        for name, status, split in (("a.png", "complete", "train"), ("b.png", "complete", "val"), ("c.png", "new", "train")):
            client.images.upload("my-dataset", name, png_bytes(120, 80), status=status, split=split)
            annotations = [{"type": "bbox", "class_name": c, "bbox": dict(zip("xywh", box))} for c, box in boxes.items()]
            server.call("PUT", f"/datasets/my-dataset/annotations/{name}", {"annotations": annotations})

        run_dir = Path(self.directory.name) / "run"
        run_dir.mkdir()
        result = self.run_python(readme_quick_start(), run_dir, {"PICTOGRAPH_URL": server.url, "PICTOGRAPH_API_KEY": server.api_key})
        self.assertEqual(result.returncode, 0, result.stderr)
        export_id, status, image_count, annotation_count = result.stdout.split()
        self.assertEqual((status, image_count), ("completed", "2"), "the two complete images")
        self.assertEqual(annotation_count, "4", "car and truck on each, person filtered out")
        self.assertEqual(client.exports.get("my-dataset", "for-yolov8").id, export_id)
        self.assertEqual([p.name for p in run_dir.iterdir()], ["my-dataset.zip"])
        with zipfile.ZipFile(run_dir / "my-dataset.zip") as archive:
            self.assertIsNone(archive.testzip())
            names = set(archive.namelist())
            labels = archive.read("labels/train/a.txt").decode().split("\n")
        self.assertTrue({"data.yaml", "classes.txt", "images/train/a.png", "images/val/b.png", "labels/val/b.txt"} <= names, names)
        self.assertEqual(len([line for line in labels if line]), 2)


if __name__ == "__main__":
    unittest.main()
