"""A page that fails to build shows a notice instead of taking the app down, and so does a
callback given input no browser would send (issue 10)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from dash import callback_context, no_update
from werkzeug.exceptions import HTTPException

from dashboard.context import language
from i18n.catalogue import t
from layouts.figures import empty_figure
from layouts.notices import failure_alert

__all__ = ["callback_error_state", "failure_alert", "guarded"]

log = logging.getLogger(__name__)

# the pages' message slots ("<page>-pesan"): the failure notice goes there when a callback has one
MESSAGE_SUFFIX = "-pesan"


def guarded(page: str, build: Callable[[], Any], fallback: Callable[[], Any]) -> Any:
    """`build()`, or `fallback()` if it raises: one broken aggregate must not take the app
    down (Dash builds every page layout on its first request). The fallback keeps every
    component id, so the browser's callbacks stay valid."""
    try:
        return build()
    except Exception:
        log.exception("%s: the page could not be built", page)
        return fallback()


def callback_error_state(err: Exception) -> Any:
    """The app's `on_error`: what a callback that raised answers instead of HTTP 500.

    Hostile or broken input (a list where a code belongs, 'x', -1, 1e20, a dict as a click)
    reaches a callback straight through /_dash-update-component; whatever it breaks, the page
    shows its own error state: the failure notice in its message slot (or its first text
    output), figures that say the data could not be shown, empty grids, and every other output
    (filters, URL, stores, downloads) left as it was. A refusal the code meant (an HTTP error
    such as 401/403 from sign-in) is passed on unchanged."""
    if isinstance(err, HTTPException):
        raise err
    outputs = callback_context.outputs_list
    single = isinstance(outputs, dict)
    specs = [outputs] if single else list(outputs)
    names = [_name(spec) for spec in specs]
    log.warning("callback %s refused its input: %s: %s", ",".join(names), type(err).__name__,
                str(err)[:200], exc_info=log.isEnabledFor(logging.DEBUG))  # fmt: skip
    lang = language()
    notice_at = _notice_slot(specs)
    values = [_error_value(spec, i == notice_at, lang) for i, spec in enumerate(specs)]
    return values[0] if single else values


def _name(spec: Any) -> str:
    if isinstance(spec, list):  # a pattern-matching output (ALL): a list of outputs
        return "[" + ",".join(_name(s) for s in spec) + "]"
    return f"{spec['id']}.{spec['property']}"


def _notice_slot(specs: list) -> int | None:
    texts = [
        i
        for i, spec in enumerate(specs)
        if isinstance(spec, dict) and spec["property"] == "children" and isinstance(spec["id"], str)
    ]
    for i in texts:
        if specs[i]["id"].endswith(MESSAGE_SUFFIX):
            return i
    return texts[0] if texts else None


def _error_value(spec: Any, notice: bool, lang: str) -> Any:
    if isinstance(spec, list):
        return no_update
    prop = spec["property"]
    if notice:
        return failure_alert(lang)
    if prop == "figure":
        return empty_figure(t("galat.teks", lang))
    if prop == "rowData":
        return []
    return no_update
