"""What the tests share: the SDK from ``src`` on sys.path, one real Pictograph server for the
whole run (started on first use, stopped at exit), a scripted local HTTP server for the
answers a real server will not give on demand (503s, cut-off downloads), and a PNG maker.
Nothing from node_modules is imported: the server is started as a process."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = PACKAGE_DIR.parent.parent
sys.path.insert(0, str(PACKAGE_DIR / "src"))

from pictograph import Client  # noqa: E402

SERVER_START_SECONDS = 120.0
# Builds are picked up by a polling worker; a short interval keeps the tests quick.
POLL = 0.2


@dataclass
class LiveServer:
    url: str
    api_key: str
    data_dir: Path
    process: "subprocess.Popen[bytes]"
    log_path: Path

    def client(self, **options: Any) -> Client:
        return Client(api_key=self.api_key, base_url=self.url, **options)

    def call(self, method: str, path: str, body: Any) -> Any:
        """A raw JSON request with the admin key, for what the SDK does not cover (API keys,
        annotations)."""
        request = urllib.request.Request(
            f"{self.url}/api/v1{path}",
            data=json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.log_path.unlink(missing_ok=True)


_server: Optional[LiveServer] = None


def live_server() -> LiveServer:
    """The run's one real server (embedded mode, fresh data dir, API only): the `default`
    workspace with the `demo` dataset and an admin API key."""
    global _server
    if _server is None:
        _server = _start_server()
        atexit.register(_server.stop)
    return _server


def _start_server() -> LiveServer:
    tsx = REPO_ROOT / "node_modules" / ".bin" / "tsx"
    entry = REPO_ROOT / "apps" / "web" / "src" / "server" / "main.ts"
    if not tsx.exists():
        raise RuntimeError(f"{tsx} is missing: run pnpm install at the repository root first")
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="pictograph-sdk-python-"))
    log_path = Path(tempfile.mkstemp(prefix="pictograph-sdk-python-", suffix=".log")[1])
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        NODE_ENV="production",
        PORT=str(port),
        HOST="127.0.0.1",
        PICTOGRAPH_DATA_DIR=str(data_dir),
        PICTOGRAPH_UI="false",
    )
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(tsx), str(entry)], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", "", data_dir, process, log_path)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while "[pictograph] ready on" not in server.output():
        if process.poll() is not None:
            output = server.output()
            server.stop()
            raise RuntimeError(f"the server exited ({process.returncode}):\n{output}")
        if time.monotonic() > deadline:
            output = server.output()
            server.stop()
            raise RuntimeError(f"the server did not start within {SERVER_START_SECONDS:g} s:\n{output}")
        time.sleep(0.1)
    server.api_key = (data_dir / "admin-api-key").read_text().strip()
    return server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Answer:
    """One scripted HTTP answer. ``cut_after`` sends that many body bytes, then closes the
    connection; ``hang_up`` closes it without answering at all."""

    status: int = 200
    body: Union[bytes, Dict[str, Any], List[Any], str] = b""
    headers: Dict[str, str] = field(default_factory=dict)
    cut_after: Optional[int] = None
    hang_up: bool = False


@dataclass
class Received:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 that answers each request with the next scripted
    answer (the last one repeats) and records what it received."""

    def __init__(self, answers: List[Union[Answer, Callable[["ScriptedServer"], Answer]]]) -> None:
        self.answers = answers
        self.received: List[Received] = []
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                scripted.received.append(Received(self.command, self.path, headers, body))
                index = min(len(scripted.received), len(scripted.answers)) - 1
                answer = scripted.answers[index]
                if callable(answer):
                    answer = answer(scripted)
                if answer.hang_up:
                    self.close_connection = True
                    return
                raw = answer.body
                if isinstance(raw, (dict, list)):
                    raw = json.dumps(raw).encode()
                elif isinstance(raw, str):
                    raw = raw.encode()
                self.send_response(answer.status)
                sent = {"Content-Type": "application/json"} if isinstance(answer.body, (dict, list)) else {}
                sent.update(answer.headers)
                for name, value in sent.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                if answer.cut_after is not None:
                    self.wfile.write(raw[: answer.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_DELETE = handle_one

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> "ScriptedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def export_json(**fields: Any) -> Dict[str, Any]:
    """An export as the server sends it."""
    wire: Dict[str, Any] = {
        "id": "0b7c1e5e-3f65-4b0e-9d2e-7d1c3c1f7a10",
        "dataset_name": "my-dataset",
        "name": "for-yolov8",
        "format": "yolo",
        "include_images": True,
        "class_filter": None,
        "status_filter": "complete",
        "status": "pending",
        "progress": 0,
        "image_count": None,
        "annotation_count": None,
        "size_bytes": None,
        "sha256": None,
        "error_message": None,
        "created_at": "2026-01-01T00:00:00.000Z",
        "completed_at": None,
        "expires_at": None,
        "download_url": None,
    }
    wire.update(fields)
    return wire


def png_bytes(width: int, height: int, rgb: tuple = (200, 30, 30)) -> bytes:
    """A real PNG of one colour."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
