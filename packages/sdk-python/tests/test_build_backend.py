"""The in-tree build backend: the wheel pip installs holds the whole package (py.typed
included, no bytecode), a RECORD that verifies, and metadata that matches pyproject.toml."""

from __future__ import annotations

import base64
import hashlib
import sys
import tarfile
import tempfile
import unittest
import zipfile
from email.parser import Parser
from pathlib import Path

from support import PACKAGE_DIR

from pictograph import __version__

sys.path.insert(0, str(PACKAGE_DIR / "build_backend"))
import pictograph_build  # noqa: E402


class BuildBackendTest(unittest.TestCase):
    def test_the_wheel_holds_the_package_and_a_record_that_verifies(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            name = pictograph_build.build_wheel(directory)
            self.assertEqual(name, f"pictograph-{__version__}-py3-none-any.whl")
            with zipfile.ZipFile(Path(directory) / name) as wheel:
                members = {member: wheel.read(member) for member in wheel.namelist()}
        sources = {
            f"pictograph/{path.relative_to(PACKAGE_DIR / 'src' / 'pictograph').as_posix()}"
            for path in (PACKAGE_DIR / "src" / "pictograph").rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
        packaged = {member for member in members if member.startswith("pictograph/")}
        self.assertEqual(packaged, sources)
        self.assertIn("pictograph/py.typed", packaged)
        dist_info = f"pictograph-{__version__}.dist-info"
        record = members[f"{dist_info}/RECORD"].decode().splitlines()
        self.assertEqual(len(record), len(members))
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if path.endswith("RECORD"):
                continue
            expected = base64.urlsafe_b64encode(hashlib.sha256(members[path]).digest()).rstrip(b"=").decode()
            self.assertEqual((digest, int(size)), (f"sha256={expected}", len(members[path])), path)
        metadata = Parser().parsestr(members[f"{dist_info}/METADATA"].decode())
        self.assertEqual((metadata["Name"], metadata["Version"], metadata["Requires-Python"]), ("pictograph", __version__, ">=3.9"))
        self.assertIn("Typing :: Typed", metadata.get_all("Classifier"))
        self.assertIn("from pictograph import Client", metadata.get_payload())

    def test_the_sdist_can_build_the_wheel_again(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            name = pictograph_build.build_sdist(directory)
            with tarfile.open(Path(directory) / name) as sdist:
                names = set(sdist.getnames())
        base = f"pictograph-{__version__}"
        for needed in ("pyproject.toml", "README.md", "PKG-INFO", "build_backend/pictograph_build.py", "src/pictograph/py.typed", "src/pictograph/__init__.py"):
            self.assertIn(f"{base}/{needed}", names)

    def test_the_reader_for_python_before_311_agrees_with_tomllib(self) -> None:
        text = (PACKAGE_DIR / "pyproject.toml").read_text()
        subset = pictograph_build.parse_project_subset(text)
        self.assertEqual(subset["name"], "pictograph")
        self.assertIn("Typing :: Typed", subset["classifiers"])
        try:
            import tomllib
        except ImportError:
            self.skipTest("tomllib arrived in Python 3.11")
        self.assertEqual(subset, tomllib.loads(text)["project"])


if __name__ == "__main__":
    unittest.main()
