"""What listeners need besides the Bolt app: settings and the services built from them.

One `Deps` per app (per worker process); nothing here is module-global, so tests can build
several apps side by side. Services from `conversations/` (the SQLite store, dialogs) are
attached by whoever wires them; listeners must cope with them being absent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.settings import Settings


@dataclass
class Deps:
    settings: Settings
    clock: Callable[[], float] = time.time
    store: Any = None
    services: dict[str, Any] = field(default_factory=dict)
