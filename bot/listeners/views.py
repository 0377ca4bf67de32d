"""Modal submissions. The diagnose form is acknowledged (closing the modal) until the
dialog engine is wired; field errors are returned with `blocks.form_errors`."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.ids import CallbackId

VIEW_CALLBACK_IDS = (CallbackId.DIAGNOSE_FORM,)


def _ack_only(ack) -> None:
    ack()


def register(app: Any, deps: Deps) -> None:
    for callback_id in VIEW_CALLBACK_IDS:
        app.view(str(callback_id))(_ack_only)
