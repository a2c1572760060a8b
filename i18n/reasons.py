"""Failure reasons in the page's language (issue 8).

A failure is stored as a code with its values beside the original English text (fetch_log,
dataset_status); the text a page shows comes from the reason catalogue
(the `alasan.*` messages of i18n/locale, one code each, in the order of i18n/keys.py's
REASON_CODES). A row stored before codes existed, or whose code or values
this dashboard does not know (a newer collector), shows its original text instead: the pages
never show a code or an empty cell where there was a reason.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from i18n.catalogue import DEFAULT_LANGUAGE, MissingTranslation, has_text, t
from i18n.format import format_number, number_symbols
from i18n.keys import REASON_CODES

log = logging.getLogger(__name__)

COMPOSITE = "beberapa"  # several reasons of one dataset: params["bagian"] lists them
# values that say where: shown before the reason (tempat) or inside it (bagian), with their
# few English words ("row 3", "key 4") in the page's language
PLACE_PARAMS = frozenset({"tempat", "bagian"})
_PLACE_WORD = re.compile(r"(?<![\w-])(key|row|line|item|page|programme|sign-in)(?![\w-])")
# values that name a column or a summary row (total, laki, belum_mengisi): said in words
WORD_PARAMS = frozenset({"kolom", "jenis"})


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def decode_params(raw: object) -> dict:
    """A reason's values from what the warehouse keeps (JSON text) or a mapping; {} if none."""
    if _missing(raw):
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        values = json.loads(str(raw))
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def render_reason(
    code: object, params: object, original: object, lang: str = DEFAULT_LANGUAGE
) -> str | None:
    """The reason in `lang`; the original text when there is no code or it cannot be said."""
    text = None if _missing(original) else str(original)
    if _missing(code):
        return text  # stored before reasons had codes
    try:
        return _render(str(code), decode_params(params), lang)
    except (MissingTranslation, KeyError, TypeError, ValueError, AttributeError) as exc:
        log.debug("reason %s not rendered in %s (%s); original text shown", code, lang, exc)
        return text


def render_reasons(
    codes: Sequence | pd.Series,
    params: Sequence | pd.Series,
    originals: Sequence | pd.Series,
    lang: str = DEFAULT_LANGUAGE,
) -> list[str | None]:
    """render_reason for columns of a frame (code, values, original text)."""
    return [
        render_reason(c, p, o, lang)
        for c, p, o in zip(list(codes), list(params), list(originals), strict=True)
    ]


def frame_reasons(
    frame: pd.DataFrame, code: str, params: str, original: str, lang: str
) -> list[str | None]:
    """render_reasons of a frame's columns; a column the frame lacks counts as empty (the
    original text alone is then shown)."""

    def column(name: str) -> list:
        return frame[name].tolist() if name in frame else [None] * len(frame)

    return render_reasons(column(code), column(params), column(original), lang)


def failure_texts(frame: pd.DataFrame, lang: str) -> list[str | None]:
    """Each village's latest failure (aggregates.reasons: galat_terakhir, alasan_kode,
    alasan_param, dataset_gagal) in `lang`, saying how many other datasets failed."""
    reasons = frame_reasons(frame, "alasan_kode", "alasan_param", "galat_terakhir", lang)
    counts = frame["dataset_gagal"] if "dataset_gagal" in frame else pd.Series(0, frame.index)
    more = pd.to_numeric(counts).fillna(0).astype(int) - 1
    return [
        t("alasan.dan_lain", lang, alasan=r, n=n) if r and n > 0 else r
        for r, n in zip(reasons, more, strict=True)
    ]


def catalogue_codes() -> list[str]:
    """Every reason code of the catalogue (not its words for values), in its order."""
    prefix = "alasan."
    return [key[len(prefix) :] for key in REASON_CODES]


def _render(code: str, values: dict, lang: str) -> str:
    if code == COMPOSITE:
        parts = [
            render_reason(p.get("code"), p.get("params"), p.get("text"), lang)
            for p in values["bagian"]
        ]
        return "; ".join(p for p in parts if p)
    key = f"alasan.{code}"
    if not has_text(key, lang):
        raise MissingTranslation(key)
    shown = {name: _value(name, v, lang) for name, v in values.items() if name != "tempat"}
    text = t(key, lang, **shown)
    place = values.get("tempat")
    return f"{_place(str(place), lang)}: {text}" if place else text


def _place(text: str, lang: str) -> str:
    return _PLACE_WORD.sub(lambda m: t(f"alasan.kata.{m.group(1)}", lang), text)


def _value(name: str, value: object, lang: str) -> str:
    if name == "mirip":  # what the rows look like instead: a hint after the reason, or nothing
        if _missing(value) or not value:
            return ""
        special = f"alasan.mirip.{value}"
        if has_text(special, lang):
            return t(special, lang)
        return t("alasan.mirip.lain", lang, statistik=value)
    if _missing(value):
        return "–"
    if name in PLACE_PARAMS:
        return _place(str(value), lang)
    if name in WORD_PARAMS and has_text(f"alasan.nilai.{value}", lang):
        return t(f"alasan.nilai.{value}", lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_number(value, lang)
    if isinstance(value, float):  # counts and amounts in the page's language, as on every page
        if value.is_integer():
            return format_number(value, lang)
        decimal_mark = number_symbols(lang)[0]
        return format_number(value, lang, 2).rstrip("0").rstrip(decimal_mark)
    return str(value)
