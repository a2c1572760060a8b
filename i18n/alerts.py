"""Alerts in words (issue 13): what a stored alert (rule, dataset, values) says in a language,
for the messages (notify/messages.py) and the Pemantauan page alike."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from config.datasets import BY_NAME
from config.statistik import BY_SLUG, TOTALS_DATASET
from i18n.catalogue import t
from i18n.format import format_date, format_number
from i18n.reasons import render_reason


def dataset_label(name: object, lang: str) -> str:
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return ""
    name = str(name)
    if name == TOTALS_DATASET:
        return t("alert.dataset.total", lang)
    found = BY_NAME.get(name) or BY_SLUG.get(name)
    if found is None:
        return name
    return found.judul if lang == "id" else found.title


def decode_values(params: object) -> dict:
    """An alert's values: its JSON text (or a mapping) as a dict."""
    if isinstance(params, Mapping):
        return dict(params)
    if not params or (isinstance(params, float) and pd.isna(params)):
        return {}
    return json.loads(str(params))


def _reason(p: Mapping, lang: str) -> str:
    said = render_reason(p.get("alasan_kode"), p.get("alasan_param"), p.get("galat"), lang)
    return said or t("alert.alasan_tidak_diketahui", lang)


def describe(rule: str, dataset: object, params: object, lang: str) -> str:
    """What is wrong, in `lang`."""
    p = decode_values(params)
    ds = dataset_label(dataset, lang)
    if rule == "tidak_terkumpul":
        return t(
            "alert.aturan.tidak_terkumpul",
            lang,
            hari=format_number(p.get("hari"), lang),
            terakhir=format_date(p.get("terakhir"), lang),
            batas=format_number(p.get("batas"), lang),
        )
    if rule == "gagal_beruntun":
        return t(
            "alert.aturan.gagal_beruntun",
            lang,
            kali=format_number(p.get("kali"), lang),
            dataset=ds or "-",
            alasan=_reason(p, lang),
        )
    if rule == "token_ditolak":
        return t(
            "alert.aturan.token_ditolak",
            lang,
            n=format_number(p.get("jumlah_dataset", 1), lang),
            dataset=ds,
            alasan=_reason(p, lang),
        )
    if rule == "pencilan":
        decimals = 0 if p.get("indikator") == "penduduk" else 2
        return t(
            "alert.aturan.pencilan",
            lang,
            indikator=t(f"pmt.indikator.{p.get('indikator')}", lang),
            nilai=format_number(p.get("nilai"), lang, decimals),
            pembanding=format_number(p.get("pembanding"), lang, decimals),
            alasan=t(f"pmt.alasan.{p.get('alasan')}", lang),
        )
    if rule == "tenggat":
        return t(
            "alert.aturan.tenggat",
            lang,
            dataset=ds,
            periode=str(p.get("periode", "")),
            tenggat=format_date(p.get("tenggat"), lang),
        )
    raise ValueError(f"unknown alert rule {rule!r}")
