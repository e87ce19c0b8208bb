"""Retries, error mapping and downloads against a scripted local HTTP server: the answers a
real Pictograph server will not give on demand (503s with Retry-After, a 409 on the first
try, a connection that hangs up, a download cut off mid-way)."""

from __future__ import annotations

import email.utils
import tempfile
import time
import unittest
import uuid
from pathlib import Path

from support import Answer, ScriptedServer, export_json

from pictograph import (
    APIConnectionError,
    APIError,
    Client,
    ConflictError,
    NotFoundError,
    PictographError,
    RateLimitError,
    ServerError,
)
from pictograph._transport import MAX_BACKOFF, retry_delay

KEY = "pk_test_scripted"


def client_for(server: ScriptedServer, **options: object) -> Client:
    return Client(api_key=KEY, base_url=server.url, **options)  # type: ignore[arg-type]


class RetryTest(unittest.TestCase):
    def test_create_retries_503_after_retry_after_with_one_idempotency_key(self) -> None:
        unavailable = Answer(503, {"error": {"code": "unavailable", "message": "busy"}}, {"Retry-After": "0.3"})
        with ScriptedServer([unavailable, unavailable, Answer(202, export_json())]) as server:
            started = time.monotonic()
            export = client_for(server).exports.create("my-dataset", "for-yolov8", format="yolo", wait=False)
            elapsed = time.monotonic() - started
        self.assertEqual(export.name, "for-yolov8")
        self.assertEqual(export.status, "pending")
        self.assertEqual([r.method for r in server.received], ["POST"] * 3)
        keys = {r.headers.get("idempotency-key") for r in server.received}
        self.assertEqual(len(keys), 1, "every retry of one create carries the same Idempotency-Key")
        uuid.UUID(keys.pop() or "")
        self.assertGreaterEqual(elapsed, 0.6, "Retry-After: 0.3 was honoured twice")
        self.assertEqual(server.received[0].headers["authorization"], f"Bearer {KEY}")
        self.assertEqual(server.received[0].path, "/api/v1/datasets/my-dataset/exports")

    def test_two_creates_send_different_idempotency_keys(self) -> None:
        with ScriptedServer([Answer(202, export_json())]) as server:
            client_for(server).exports.create("d", "a", wait=False)
            client_for(server).exports.create("d", "b", wait=False)
        self.assertNotEqual(server.received[0].headers["idempotency-key"], server.received[1].headers["idempotency-key"])

    def test_conflict_is_never_retried(self) -> None:
        conflict = Answer(409, {"error": {"code": "conflict", "message": 'export "for-yolov8" exists'}}, {"x-request-id": "req-409"})
        with ScriptedServer([conflict, Answer(202, export_json())]) as server:
            with self.assertRaises(ConflictError) as raised:
                client_for(server).exports.create("my-dataset", "for-yolov8", wait=False)
        self.assertEqual(len(server.received), 1)
        self.assertEqual(raised.exception.status, 409)
        self.assertEqual(raised.exception.request_id, "req-409")
        self.assertEqual(raised.exception.code, "conflict")
        self.assertIn("req-409", str(raised.exception))

    def test_not_found_is_not_retried(self) -> None:
        with ScriptedServer([Answer(404, {"error": {"code": "not_found", "message": "no"}})]) as server:
            with self.assertRaises(NotFoundError):
                client_for(server).exports.get("d", "missing")
        self.assertEqual(len(server.received), 1)

    def test_server_error_after_the_last_retry(self) -> None:
        failing = Answer(500, {"error": {"code": "internal_error", "message": "boom"}}, {"Retry-After": "0", "x-request-id": "r5"})
        with ScriptedServer([failing]) as server:
            with self.assertRaises(ServerError) as raised:
                client_for(server, max_retries=1).exports.get("d", "e")
        self.assertEqual(len(server.received), 2, "one try and max_retries=1 retry")
        self.assertEqual(raised.exception.status, 500)
        self.assertEqual(raised.exception.request_id, "r5")
        self.assertEqual(raised.exception.body, {"error": {"code": "internal_error", "message": "boom"}})

    def test_rate_limit_and_timeout_statuses_are_retried(self) -> None:
        limited = Answer(429, {"error": {"code": "rate_limited", "message": "slow down"}}, {"Retry-After": "0"})
        timed_out = Answer(408, {"error": {"code": "timeout", "message": "late"}}, {"Retry-After": "0"})
        with ScriptedServer([limited, timed_out, Answer(200, export_json(status="completed"))]) as server:
            export = client_for(server).exports.get("my-dataset", "for-yolov8")
        self.assertEqual(export.status, "completed")
        self.assertEqual(len(server.received), 3)
        with ScriptedServer([limited]) as server:
            with self.assertRaises(RateLimitError):
                client_for(server, max_retries=0).exports.get("d", "e")

    def test_a_connection_that_hangs_up_is_retried(self) -> None:
        with ScriptedServer([Answer(hang_up=True), Answer(200, export_json())]) as server:
            export = client_for(server).exports.get("my-dataset", "for-yolov8")
        self.assertEqual(export.name, "for-yolov8")
        self.assertEqual(len(server.received), 2)

    def test_an_unreachable_server_is_a_connection_error(self) -> None:
        with ScriptedServer([Answer()]) as server:
            url = server.url
        started = time.monotonic()
        with self.assertRaises(APIConnectionError) as raised:
            Client(api_key=KEY, base_url=url, max_retries=1).exports.get("d", "e")
        self.assertIn("could not connect", str(raised.exception))
        self.assertGreaterEqual(time.monotonic() - started, 0.3, "one backoff before the retry")

    def test_an_error_that_is_not_json_keeps_its_text(self) -> None:
        with ScriptedServer([Answer(418, "short and stout", {"Content-Type": "text/plain"})]) as server:
            with self.assertRaises(APIError) as raised:
                client_for(server).exports.get("d", "e")
        self.assertIs(type(raised.exception), APIError)
        self.assertEqual(raised.exception.body, "short and stout")
        self.assertIn("418: short and stout", str(raised.exception))

    def test_the_api_key_does_not_follow_a_redirect(self) -> None:
        with ScriptedServer([Answer(200, export_json())]) as elsewhere:
            moved = Answer(307, b"", {"Location": f"{elsewhere.url}/api/v1/datasets/d/exports/e"})
            with ScriptedServer([moved]) as server:
                client_for(server).exports.get("d", "e")
        self.assertEqual(server.received[0].headers["authorization"], f"Bearer {KEY}")
        self.assertNotIn("authorization", elsewhere.received[0].headers)


class RetryDelayTest(unittest.TestCase):
    def test_retry_after_in_seconds_or_as_a_date(self) -> None:
        self.assertEqual(retry_delay(0, "1.5"), 1.5)
        in_three = email.utils.formatdate(time.time() + 3, usegmt=True)
        self.assertAlmostEqual(retry_delay(0, in_three), 3, delta=1.1)

    def test_backoff_grows_with_jitter_and_a_cap(self) -> None:
        for attempt, full in [(0, 0.5), (1, 1.0), (2, 2.0), (10, MAX_BACKOFF)]:
            delay = retry_delay(attempt, None)
            self.assertTrue(full * 0.75 <= delay <= full, f"attempt {attempt}: {delay}")
        # Nonsense or a very long Retry-After falls back to backoff.
        self.assertLessEqual(retry_delay(0, "soon"), 0.5)
        self.assertLessEqual(retry_delay(0, "3600"), 0.5)


class ScriptedDownloadTest(unittest.TestCase):
    def test_a_cut_off_download_leaves_no_file(self) -> None:
        zip_bytes = b"PK" + bytes(range(256)) * 40
        with ScriptedServer([]) as server:
            link = {"url": f"{server.url}/signed/export.zip?signature=s", "expires_at": "2026-01-01T01:00:00Z", "size_bytes": len(zip_bytes)}
            server.answers = [Answer(200, link), Answer(200, zip_bytes, {"Content-Type": "application/zip"}, cut_after=5000)]
            progress: list = []
            with tempfile.TemporaryDirectory() as directory:
                target = Path(directory) / "export.zip"
                with self.assertRaises(APIConnectionError):
                    client_for(server, max_retries=0).exports.download(
                        "d", "e", output_path=target, progress=lambda done, total: progress.append((done, total)), chunk_size=1024
                    )
                self.assertEqual(sorted(p.name for p in Path(directory).iterdir()), [], "neither export.zip nor export.zip.part")
        self.assertEqual(progress[0], (0, len(zip_bytes)))
        self.assertTrue(any(done > 0 for done, _ in progress), "some bytes arrived before the cut")
        self.assertNotIn("authorization", server.received[1].headers, "a signed link is fetched without the API key")
        self.assertEqual(server.received[1].path, "/signed/export.zip?signature=s")

    def test_a_failing_progress_callback_removes_the_part_file(self) -> None:
        with ScriptedServer([]) as server:
            link = {"url": f"{server.url}/signed", "expires_at": "2026-01-01T01:00:00Z", "size_bytes": 10}
            server.answers = [Answer(200, link), Answer(200, b"0123456789")]

            def stop(done: int, total: object) -> None:
                if done:
                    raise KeyboardInterrupt

            with tempfile.TemporaryDirectory() as directory:
                with self.assertRaises(KeyboardInterrupt):
                    client_for(server).exports.download("d", "e", Path(directory) / "x.zip", progress=stop)
                self.assertEqual(list(Path(directory).iterdir()), [])


class WireTest(unittest.TestCase):
    def test_fields_from_a_newer_server_are_kept_aside(self) -> None:
        newer = export_json(status="completed", shard_count=3, storage_class="cold")
        with ScriptedServer([Answer(200, newer)]) as server:
            export = client_for(server).exports.get("my-dataset", "for-yolov8")
        self.assertEqual(export.status, "completed")
        self.assertEqual(export.extra, {"shard_count": 3, "storage_class": "cold"})

    def test_an_answer_that_is_not_the_api_says_so(self) -> None:
        html = Answer(200, "<!doctype html><title>Some other app</title>", {"Content-Type": "text/html"})
        with ScriptedServer([html]) as server:
            with self.assertRaisesRegex(PictographError, "is the URL a Pictograph server"):
                client_for(server).exports.get("d", "e")
            with self.assertRaisesRegex(PictographError, "page of Export"):
                client_for(server).exports.list()

    def test_names_are_escaped_as_one_path_segment(self) -> None:
        with ScriptedServer([Answer(200, export_json())]) as server:
            client_for(server).exports.get("my/dataset", "a b")
        self.assertEqual(server.received[0].path, "/api/v1/datasets/my%2Fdataset/exports/a%20b")


if __name__ == "__main__":
    unittest.main()
