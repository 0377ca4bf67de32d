"""What the delivery loop may do with the outbox the service fills: claim what is due and
record what came of each post. The store implements it; a front's delivery loop is handed
the store as this and nothing more, so it cannot reach dialogs or the advice log."""

from __future__ import annotations

from typing import Protocol

from conversations.store import OutboxRow

__all__ = ["Outbox", "OutboxRow"]


class Outbox(Protocol):
    def claim_pending_deliveries(
        self, worker: str, *, now: float, lease_s: float = 30, limit: int = 10
    ) -> list[OutboxRow]: ...

    def release_lease(self, outbox_id: int, owner: str) -> bool: ...

    def leases(self) -> list[tuple[int, str]]: ...

    def newest_enqueued_at(self) -> float | None: ...

    def mark_opened(self, outbox_id: int, posted_ts: str, new_key: str) -> bool: ...

    def mark_delivered(self, outbox_id: int, posted_ts: str | None) -> bool: ...

    def mark_failed(self, outbox_id: int, *, now: float, retry_after_s: float | None = None,
                    error: str | None = None, permanent: bool = False) -> None: ...

    def abandon_key(self, key: str, error: str) -> int: ...
