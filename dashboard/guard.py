"""A page that fails to build shows a notice instead of taking the app down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from layouts.notices import failure_alert

__all__ = ["failure_alert", "guarded"]

log = logging.getLogger(__name__)


def guarded(page: str, build: Callable[[], Any], fallback: Callable[[], Any]) -> Any:
    """`build()`, or `fallback()` if it raises: one broken aggregate must not take the app
    down (Dash builds every page layout on its first request). The fallback keeps every
    component id, so the browser's callbacks stay valid."""
    try:
        return build()
    except Exception:
        log.exception("%s: the page could not be built", page)
        return fallback()
