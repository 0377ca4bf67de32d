"""What listeners need besides the Bolt app: settings and the services built from them.

One `Deps` per app (per worker process); nothing here is module-global, so tests can build
several apps side by side. `conversations` is the front-end facade over dialogs and the
SQLite advice log; listeners that need it must cope with it being None (unit tests that
only check wiring build Deps without a database).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from advisor.playbook import Playbook
from bot.settings import Settings, load_team_playbook
from bot.slack.delivery import Deliverer, DeliveryLoop
from conversations.service import Conversations
from conversations.store import Store


@dataclass
class Deps:
    settings: Settings
    conversations: Conversations | None = None
    clock: Callable[[], float] = time.time
    deliverer: Deliverer | None = None  # set by build_app once the Web API client exists
    privacy: Callable[[str], bool] | None = None  # ditto: channel id -> private?
    delivery: DeliveryLoop | None = None  # set by start_delivery in a serving process

    def wake(self) -> None:
        """Replies were just committed: let this process's delivery loop post them now."""
        if self.delivery is not None:
            self.delivery.wake()

    def is_private(self, channel_id: str) -> bool:
        """Whether advice given in this channel must stay there (unknown: yes)."""
        return self.privacy(channel_id) if self.privacy is not None else True

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.time) -> Deps:
        """Open the SQLite file and load the playbook named by the settings.

        Raises PlaybookError (naming the file and field) for a bad team playbook.
        """
        store = Store(settings.scale_db, dialog_ttl_s=settings.scale_dialog_ttl_s)
        conversations = Conversations(store, playbook_for(settings), clock=clock)
        return cls(settings=settings, conversations=conversations, clock=clock)


def playbook_for(settings: Settings) -> Playbook:
    return load_team_playbook(settings.scale_playbook)
