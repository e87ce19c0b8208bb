"""The client's defaults from the environment: the one module of the SDK that reads
os.environ. A value is trimmed, and an empty value counts as unset."""

from __future__ import annotations

import os
from typing import Optional

ENV_URL = "PICTOGRAPH_URL"
ENV_API_KEY = "PICTOGRAPH_API_KEY"


def read_env(name: str) -> Optional[str]:
    value = os.environ.get(name, "").strip()
    return value or None
