"""Client configuration: arguments first, then PICTOGRAPH_URL and PICTOGRAPH_API_KEY (trimmed,
empty = unset), and one error that says what to set when something is missing."""

from __future__ import annotations

import os
import unittest
from contextlib import contextmanager
from typing import Dict, Iterator, Optional

from support import Answer, ScriptedServer, export_json

from pictograph import Client, ConfigurationError, PictographError


@contextmanager
def environment(**values: Optional[str]) -> Iterator[None]:
    """Sets (or, for None, removes) environment variables for the block, then restores them."""
    saved: Dict[str, Optional[str]] = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class ConfigTest(unittest.TestCase):
    def test_nothing_configured_names_both_arguments_and_variables(self) -> None:
        with environment(PICTOGRAPH_URL=None, PICTOGRAPH_API_KEY=None):
            with self.assertRaises(ConfigurationError) as raised:
                Client()
        message = str(raised.exception)
        for expected in ("base_url=", "PICTOGRAPH_URL", "api_key=", "PICTOGRAPH_API_KEY"):
            self.assertIn(expected, message)
        self.assertIsInstance(raised.exception, PictographError)

    def test_blank_variables_count_as_unset(self) -> None:
        with environment(PICTOGRAPH_URL="http://localhost:3000", PICTOGRAPH_API_KEY="   "):
            with self.assertRaises(ConfigurationError) as raised:
                Client()
        self.assertIn("PICTOGRAPH_API_KEY", str(raised.exception))
        self.assertNotIn("PICTOGRAPH_URL", str(raised.exception))
        with environment(PICTOGRAPH_URL="", PICTOGRAPH_API_KEY="pk_x"):
            with self.assertRaises(ConfigurationError) as raised:
                Client()
        self.assertIn("PICTOGRAPH_URL", str(raised.exception))
        self.assertNotIn("PICTOGRAPH_API_KEY", str(raised.exception))

    def test_the_environment_is_used_trimmed(self) -> None:
        with ScriptedServer([Answer(200, export_json())]) as server:
            with environment(PICTOGRAPH_URL=f"  {server.url}/api/v1/ \n", PICTOGRAPH_API_KEY=" pk_from_env\n"):
                client = Client()
                client.exports.get("my-dataset", "for-yolov8")
        self.assertEqual(client.base_url, server.url)
        self.assertEqual(server.received[0].headers["authorization"], "Bearer pk_from_env")
        self.assertEqual(server.received[0].path, "/api/v1/datasets/my-dataset/exports/for-yolov8")

    def test_arguments_win_over_the_environment(self) -> None:
        with ScriptedServer([Answer(200, export_json())]) as server:
            with environment(PICTOGRAPH_URL="http://127.0.0.1:9", PICTOGRAPH_API_KEY="pk_env"):
                Client(api_key="pk_arg", base_url=server.url).exports.get("d", "e")
        self.assertEqual(server.received[0].headers["authorization"], "Bearer pk_arg")

    def test_bad_settings_are_refused_up_front(self) -> None:
        with self.assertRaisesRegex(ConfigurationError, "http:// or https://"):
            Client(api_key="k", base_url="localhost:3000")
        with self.assertRaisesRegex(ConfigurationError, "timeout"):
            Client(api_key="k", base_url="http://x", timeout=0)
        with self.assertRaisesRegex(ConfigurationError, "max_retries"):
            Client(api_key="k", base_url="http://x", max_retries=-1)

    def test_the_key_is_not_in_the_repr(self) -> None:
        client = Client(api_key="pk_secret_value", base_url="http://localhost:3000")
        self.assertNotIn("pk_secret_value", repr(client))
        self.assertIn("http://localhost:3000", repr(client))


if __name__ == "__main__":
    unittest.main()
