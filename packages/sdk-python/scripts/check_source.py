"""The package's lint and type checks, standard library only (mypy and pyright are not
installed on every machine that runs `pnpm lint`, and this SDK must not need them).

  lint:      every file compiles; parses as Python 3.9 (the oldest supported version);
             src/ imports only the standard library and its own modules; every module
             starts with a docstring saying what it is for.
  typecheck: every function in src/ and build_backend/ annotates each parameter and its
             return; every module that annotates anything has `from __future__ import
             annotations` (so `X | Y` or `list[int]` never reaches a 3.9 runtime). When
             mypy is importable it also runs `mypy --strict src`.

Usage: python3 scripts/check_source.py lint|typecheck"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List

PACKAGE_DIR = Path(__file__).resolve().parent.parent
OLDEST_PYTHON = (3, 9)


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(p for p in (PACKAGE_DIR / folder).rglob("*.py") if "__pycache__" not in p.parts)


def parse(path: Path, problems: List[str]) -> ast.Module:
    source = path.read_text(encoding="utf-8")
    compile(source, str(path), "exec")
    try:
        return ast.parse(source, str(path), feature_version=OLDEST_PYTHON)
    except SyntaxError as error:
        problems.append(f"{path}:{error.lineno}: not Python {OLDEST_PYTHON[0]}.{OLDEST_PYTHON[1]} syntax: {error.msg}")
        return ast.parse(source, str(path))


def lint() -> List[str]:
    problems: List[str] = []
    stdlib = getattr(sys, "stdlib_module_names", None)
    for path in python_files("src", "tests", "build_backend", "scripts"):
        tree = parse(path, problems)
        if ast.get_docstring(tree) is None and path.stat().st_size:
            problems.append(f"{path}: starts without a docstring saying what the module is for")
        if stdlib is None or "src" not in path.relative_to(PACKAGE_DIR).parts[:1]:
            continue
        for node in ast.walk(tree):
            names: List[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in stdlib and top != "pictograph":
                    problems.append(f"{path}:{node.lineno}: imports {name}, which is not in the standard library")
    return problems


def typecheck() -> List[str]:
    problems: List[str] = []
    for path in python_files("src", "build_backend", "scripts"):
        tree = parse(path, problems)
        annotated = False
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = node.args
                params = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
                params += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
                for index, param in enumerate(params):
                    if index == 0 and param.arg in ("self", "cls"):
                        continue
                    if param.annotation is None:
                        problems.append(f"{path}:{node.lineno}: {node.name}() does not annotate {param.arg}")
                if node.returns is None:
                    problems.append(f"{path}:{node.lineno}: {node.name}() does not annotate its return")
                annotated = True
            elif isinstance(node, ast.AnnAssign):
                annotated = True
        has_future = any(
            isinstance(node, ast.ImportFrom) and node.module == "__future__" and any(a.name == "annotations" for a in node.names)
            for node in tree.body
        )
        if annotated and not has_future:
            problems.append(f"{path}: annotates without `from __future__ import annotations`")
    if importlib.util.find_spec("mypy") is not None:
        result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--python-version", "3.9", "src"], cwd=PACKAGE_DIR)
        if result.returncode != 0:
            problems.append("mypy --strict src failed")
    else:
        print("check_source: mypy is not installed; checked annotations and 3.9 syntax only")
    return problems


def main(argv: List[str]) -> int:
    checks = {"lint": lint, "typecheck": typecheck}
    if len(argv) != 1 or argv[0] not in checks:
        print(__doc__, file=sys.stderr)
        return 2
    problems = checks[argv[0]]()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
