"""What listeners need besides the Bolt app: settings and the services built from them.

One `Deps` per app (per worker process), built whole before the app: the Web API client
comes first, and the app, the privacy check and the outbox's deliverer all share it.
Nothing here is module-global, so tests can build several apps side by side.
`conversations` is the front-end facade over dialogs and the SQLite advice log; listeners
that need it must cope with it being None (unit tests that only check wiring build Deps
without a database).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient

from advisor.playbook import Playbook
from bot.settings import Settings, load_team_playbook
from bot.slack.delivery import Deliverer, DeliveryLoop, InFlight
from bot.slack.web import ChannelPrivacy, Reach, make_client
from conversations.service import Conversations
from conversations.store import Store


@dataclass
class Deps:
    settings: Settings
    client: WebClient  # the app's Web API client; the deliverer and privacy use it too
    conversations: Conversations | None = None
    clock: Callable[[], float] = time.time
    deliverer: Deliverer | None = None  # None without a database
    privacy: ChannelPrivacy | None = None  # channel id -> private? and is the bot in it?
    delivery: DeliveryLoop | None = None  # built idle; start_delivery starts it in a server
    requests: InFlight = field(default_factory=InFlight)  # counted by the request gate

    def wake(self) -> None:
        """Replies were just committed: let this process's delivery loop post them now."""
        if self.delivery is not None:
            self.delivery.wake()

    def is_private(self, channel_id: str) -> bool:
        """Whether advice given in this channel must stay there (unknown: yes)."""
        return self.privacy(channel_id) if self.privacy is not None else True

    def reach(self, channel_id: str) -> Reach:
        """Where the bot stands in the channel (unknown: a member, so posting is tried)."""
        return self.privacy.reach(channel_id) if self.privacy is not None else Reach.MEMBER

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.time) -> Deps:
        """Open the SQLite file and load the playbook named by the settings; build the Web
        API client and what uses it (no network call happens here).

        Raises PlaybookError (naming the file and field) for a bad team playbook.
        """
        store = Store(settings.scale_db, dialog_ttl_s=settings.scale_dialog_ttl_s)
        conversations = Conversations(store, playbook_for(settings), clock=clock)
        client = make_client(settings, patient=False)
        deliverer = Deliverer(client, store, clock)
        requests = InFlight()
        return cls(settings=settings, client=client, conversations=conversations, clock=clock,
                   deliverer=deliverer, privacy=ChannelPrivacy(client),
                   delivery=DeliveryLoop(deliverer, requests=requests), requests=requests)


def playbook_for(settings: Settings) -> Playbook:
    return load_team_playbook(settings.scale_playbook)
