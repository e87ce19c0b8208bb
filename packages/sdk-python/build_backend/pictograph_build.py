"""The SDK's PEP 517 build backend, in the tree so ``pip install ./packages/sdk-python`` needs
nothing from a package index (no setuptools, no wheel): standard library only, Python 3.9+.

It builds a pure-Python wheel of ``src/pictograph`` (``py3-none-any``), an sdist, and an
editable wheel (PEP 660, a ``.pth`` pointing at ``src``). Metadata comes from pyproject.toml's
``[project]`` table; the version from ``src/pictograph/_version.py``. It must never import the
package it builds or reach the network."""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "pictograph"
SOURCE = ROOT / "src" / PACKAGE
WHEEL_TAG = "py3-none-any"
# Fixed timestamps make the same source build the same archive.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
SDIST_FILES = ("pyproject.toml", "README.md", "build_backend/pictograph_build.py")


def get_requires_for_build_wheel(config_settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[Mapping[str, Any]] = None) -> str:
    dist_info = Path(metadata_directory) / _dist_info_name()
    dist_info.mkdir(parents=True, exist_ok=True)
    for name, content in _dist_info_files().items():
        (dist_info / name).write_bytes(content)
    return dist_info.name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[Mapping[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    files = [(f"{PACKAGE}/{path.relative_to(SOURCE).as_posix()}", path.read_bytes()) for path in _package_files()]
    return _write_wheel(Path(wheel_directory), files)


def build_editable(
    wheel_directory: str,
    config_settings: Optional[Mapping[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    pth = f"{SOURCE.parent}\n".encode("utf-8")
    return _write_wheel(Path(wheel_directory), [(f"_{PACKAGE}_editable.pth", pth)])


def build_sdist(sdist_directory: str, config_settings: Optional[Mapping[str, Any]] = None) -> str:
    base = f"{_normalised_name()}-{_version()}"
    target = Path(sdist_directory) / f"{base}.tar.gz"
    members: List[Tuple[str, bytes]] = [(name, (ROOT / name).read_bytes()) for name in SDIST_FILES]
    members += [(path.relative_to(ROOT).as_posix(), path.read_bytes()) for path in _package_files()]
    members.append(("PKG-INFO", _metadata()))
    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, content in members:
            info = tarfile.TarInfo(f"{base}/{name}")
            info.size = len(content)
            info.mode = 0o644
            info.mtime = 1577836800
            archive.addfile(info, io.BytesIO(content))
    return target.name


def _write_wheel(directory: Path, files: List[Tuple[str, bytes]]) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{_normalised_name()}-{_version()}-{WHEEL_TAG}.whl"
    dist_info = _dist_info_name()
    entries = files + [(f"{dist_info}/{file}", content) for file, content in _dist_info_files().items()]
    record = [f"{path},sha256={_digest(content)},{len(content)}" for path, content in entries]
    record.append(f"{dist_info}/RECORD,,")
    entries.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode("utf-8")))
    with zipfile.ZipFile(directory / name, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for path, content in entries:
            info = zipfile.ZipInfo(path, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, content)
    return name


def _package_files() -> List[Path]:
    return sorted(
        path
        for path in SOURCE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    )


def _dist_info_name() -> str:
    return f"{_normalised_name()}-{_version()}.dist-info"


def _dist_info_files() -> Dict[str, bytes]:
    wheel = f"Wheel-Version: 1.0\nGenerator: pictograph_build\nRoot-Is-Purelib: true\nTag: {WHEEL_TAG}\n"
    return {"METADATA": _metadata(), "WHEEL": wheel.encode("utf-8"), "top_level.txt": f"{PACKAGE}\n".encode("utf-8")}


def _metadata() -> bytes:
    """Core metadata 2.1 from ``[project]``."""
    project = read_project_table()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {_version()}",
    ]
    if project.get("description"):
        lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    if project.get("license"):
        lines.append(f"License: {project['license']}")
    for classifier in project.get("classifiers", []):
        lines.append(f"Classifier: {classifier}")
    readme = project.get("readme")
    body = ""
    if readme:
        lines.append("Description-Content-Type: text/markdown")
        body = (ROOT / readme).read_text(encoding="utf-8")
    return ("\n".join(lines) + "\n\n" + body).encode("utf-8")


def _version() -> str:
    text = (SOURCE / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if not match:
        raise RuntimeError("src/pictograph/_version.py must set __version__ = \"X.Y.Z\"")
    return match.group(1)


def _normalised_name() -> str:
    return re.sub(r"[-_.]+", "_", str(read_project_table()["name"])).lower()


def _digest(content: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode("ascii")


def read_project_table(text: Optional[str] = None) -> Dict[str, Any]:
    """pyproject.toml's ``[project]`` table: with tomllib on Python 3.11+, else with a reader
    for the subset this pyproject uses (strings and arrays of strings, arrays may span lines),
    whose values are also Python literals."""
    if text is None:
        text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return parse_project_subset(text)
    project: Dict[str, Any] = tomllib.loads(text)["project"]
    return project


def parse_project_subset(text: str) -> Dict[str, Any]:
    project: Dict[str, Any] = {}
    in_project = False
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and stripped.startswith("["):
            in_project = stripped == "[project]"
            continue
        if not in_project or (not pending and (not stripped or stripped.startswith("#"))):
            continue
        pending = f"{pending}\n{line}" if pending else line
        key, _, value = pending.partition("=")
        if value.count("[") > value.count("]"):
            continue  # an array that goes on over the next lines
        pending = ""
        project[key.strip()] = ast.literal_eval(value.strip())
    return project
