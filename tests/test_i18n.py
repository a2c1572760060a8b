"""The translation-and-format layer (i18n/): gettext catalogues in both languages, extraction
that finds every message, and numbers, dates and months by Babel's CLDR data for the page's
language."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from babel.messages.pofile import read_po

from aggregates.population import EXPORT_COLUMNS, TOTALS_COLUMNS
from aggregates.status import VILLAGE_STATUS_COLUMNS
from config.statistik import STATISTICS
from i18n.catalogue import (
    CATALOGUE,
    LANGUAGES,
    MissingTranslation,
    catalogue_path,
    grid_locale,
    statistic_title,
    t,
)
from i18n.format import (
    MISSING,
    format_date,
    format_number,
    format_percent,
    month_abbr,
    plotly_separators,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 28, 0, 15, tzinfo=UTC)  # 07.15 WIB


# -- numbers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "decimals", "indonesian", "english"),
    [
        (304123, 0, "304.123", "304,123"),
        (1234.5, 1, "1.234,5", "1,234.5"),
        (1234.5, 2, "1.234,50", "1,234.50"),
        (1234567, 0, "1.234.567", "1,234,567"),
        (999, 0, "999", "999"),
        (0, 0, "0", "0"),
        (-1234, 0, "-1.234", "-1,234"),
        (-0.4, 0, "0", "0"),  # a small negative rounded to zero is no "-0"
        (np.int64(155132), 0, "155.132", "155,132"),
        (pd.array([5], dtype="Int64")[0], 0, "5", "5"),
        (0.125, 2, "0,12", "0.12"),  # the float's exact value, rounded half to even
    ],
)
def test_numbers_in_the_page_language(value, decimals, indonesian, english):
    assert format_number(value, "id", decimals) == indonesian
    assert format_number(value, "en", decimals) == english


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan])
def test_a_missing_number_is_a_dash(missing):
    assert format_number(missing, "id") == MISSING
    assert format_percent(missing, "en") == MISSING


def test_percentages_keep_the_indonesian_space_and_take_cldr_in_english():
    assert format_percent(12.34, "id") == "12,3 %"
    assert format_percent(12.34, "en") == "12.3%"
    assert format_percent(100, "id", 0) == "100 %"


def test_plotly_separators_follow_the_language():
    assert plotly_separators("id") == ",."
    assert plotly_separators("en") == ".,"


# -- dates and months ----------------------------------------------------------------------
def test_dates_are_wib_in_the_page_language():
    assert format_date(AS_OF, "id") == "28 Nov 2026 07.15 WIB"
    assert format_date(AS_OF, "en") == "Nov 28, 2026, 7:15\u202fAM WIB"
    # naive timestamps are UTC (SQLite hands them back like that)
    assert format_date(datetime(2026, 8, 3, 2, 5), "id") == "3 Agu 2026 09.05 WIB"
    assert format_date("2026-12-31T20:30:00Z", "id") == "1 Jan 2027 03.30 WIB"
    assert format_date(pd.Timestamp("2026-05-01 00:00", tz="UTC"), "en") == (
        "May 1, 2026, 7:00\u202fAM WIB"
    )
    other_zone = datetime(2026, 11, 28, 9, 15, tzinfo=timezone(timedelta(hours=9)))  # WIT
    assert format_date(other_zone, "id") == "28 Nov 2026 07.15 WIB"


@pytest.mark.parametrize("missing", [None, pd.NaT, float("nan")])
def test_a_missing_date_is_a_dash(missing):
    assert format_date(missing, "id") == MISSING


def test_months_come_from_cldr():
    assert [month_abbr(m, "id") for m in (1, 5, 8, 12)] == ["Jan", "Mei", "Agu", "Des"]
    assert [month_abbr(m, "en") for m in (1, 5, 8, 12)] == ["Jan", "May", "Aug", "Dec"]
    with pytest.raises(MissingTranslation):
        month_abbr(1, "xx")


# -- the catalogues ------------------------------------------------------------------------
def test_every_message_has_both_languages():
    keys = {lang: set(CATALOGUE[lang]) for lang in LANGUAGES}
    assert len(keys["id"]) > 500, "the catalogue was not read"
    assert keys["id"] - keys["en"] == set(), "messages without English"
    assert keys["en"] - keys["id"] == set(), "messages without Indonesian"
    for lang in LANGUAGES:
        with catalogue_path(lang).open("rb") as f:
            catalog = read_po(f, locale=lang)
        untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
        assert untranslated == [], lang


def test_placeholders_are_the_same_in_both_languages():
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, text in CATALOGUE["id"].items():
        assert fields(text) == fields(CATALOGUE["en"][key]), key


def test_a_missing_key_or_language_raises():
    with pytest.raises(MissingTranslation):
        t("tidak.ada.kunci")
    with pytest.raises(MissingTranslation):
        t("app.judul", "fr")


def test_t_fills_placeholders_and_refuses_a_forgotten_one():
    assert t("segar.catatan", "id", tanggal="x", n="3", m="5") == "data per x, 3 dari 5 desa"
    assert t("segar.catatan", "en", tanggal="x", n="3", m="5") == "data as of x, 3 of 5 villages"
    with pytest.raises(MissingTranslation):
        t("segar.catatan", "id", tanggal="x")


def test_every_literal_key_in_the_code_exists():
    pattern = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")
    used = set()
    for folder in ("dashboard", "layouts", "i18n"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 100, "no t() calls found: the pattern is wrong"
    for lang in LANGUAGES:
        assert used - set(CATALOGUE[lang]) == set(), lang


def test_keys_built_at_run_time_exist():
    columns = set(EXPORT_COLUMNS) | set(TOTALS_COLUMNS) | set(VILLAGE_STATUS_COLUMNS)
    for lang in LANGUAGES:
        for col in columns:
            t(f"kolom.{col}", lang)
        for status in ("ok", "unchanged", "failed", "never"):
            t(f"status.{status}", lang)
        for tingkat in ("kabupaten", "kecamatan", "desa", "kelurahan"):
            t(f"tingkat.{tingkat}", lang)
        for stat in STATISTICS:
            assert statistic_title(stat.slug, lang)
    assert statistic_title("agama", "id") == "Agama"
    assert statistic_title("agama", "en") == "Religion"


def test_grid_words_are_translated():
    assert grid_locale("id")["noRowsToShow"] == "Tidak ada baris"
    assert grid_locale("en")["noRowsToShow"] != grid_locale("id")["noRowsToShow"]
    assert set(grid_locale("id")) == set(grid_locale("en"))


PYBABEL = shutil.which("pybabel", path=str(ROOT / ".venv" / "bin")) or shutil.which("pybabel")


@pytest.mark.skipif(PYBABEL is None, reason="pybabel is not installed (make install-test)")
def test_extraction_finds_every_message(tmp_path):
    """`pybabel extract` (make translations-extract) finds every message of the catalogues, so
    `pybabel update` never drops one: keys built at run time are listed in i18n/keys.py."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [PYBABEL, "extract", "-F", "babel.cfg", "--no-default-keywords", "-k", "t",
         "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    missing = set(CATALOGUE["id"]) - extracted
    assert missing == set(), f"not found by extraction (add to i18n/keys.py): {sorted(missing)}"
