"""Every user-facing text, from the gettext catalogues `i18n/locale/<lang>/LC_MESSAGES/
messages.po` (Indonesian the default, English second).

Message ids are keys ("app.judul", "kes.tabel"): every call site names its text the same way
in every language, and `pybabel extract` finds the literal ones in `t("…")` calls and the ones
code builds at run time in `i18n/keys.py`. Texts keep `str.format` placeholders ("{wilayah}").
A missing key raises `MissingTranslation` instead of showing the key, so a gap fails tests.

The compiled `messages.mo` is read when it is at least as new as its `.po` (`make install`
and `make test` compile them); otherwise the `.po` itself is read, so a fresh checkout or an
edited catalogue never shows stale or missing texts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from config.statistik import BY_SLUG
from i18n.keys import GRID_KEYS

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
# the languages the dashboard offers, in the order of its switch; the first is the default
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]


class MissingTranslation(KeyError):
    """A key has no text in the requested language (or the language is unknown)."""


def catalogue_path(lang: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def read_catalogue(lang: str) -> Catalog:
    """The catalogue of `lang`: its compiled .mo when up to date, else its .po."""
    po, mo = catalogue_path(lang), catalogue_path(lang, ".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as f:
            return read_mo(f)
    log.debug("%s: no up-to-date %s; reading the .po", lang, mo.name)
    with po.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def _texts(catalog: Catalog) -> dict[str, str]:
    # the header (msgid "") and untranslated messages are no texts: a gap must raise
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


# read once per process; a catalogue is a few hundred kB and never changes while serving
CATALOGUE: Mapping[str, Mapping[str, str]] = {
    lang: _texts(read_catalogue(lang)) for lang in LANGUAGES
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: object) -> str:
    """The text for key in lang, with {placeholders} filled from fmt."""
    try:
        text = CATALOGUE[lang][key]
    except KeyError:
        raise MissingTranslation(f"no {lang!r} text for {key!r} in i18n/locale") from None
    try:
        return text.format(**fmt)  # always: a forgotten placeholder fails loudly, not as "{n}"
    except KeyError as exc:
        raise MissingTranslation(f"{key!r} needs the value {exc.args[0]!r}") from None


def has_text(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    """Whether the catalogue of `lang` has `key` (for texts that only some values have)."""
    return key in CATALOGUE.get(lang, {})


def raw_text(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The text with its {placeholders} unfilled (the Kamus lists the reasons so)."""
    try:
        return CATALOGUE[lang][key]
    except KeyError:
        raise MissingTranslation(f"no {lang!r} text for {key!r} in i18n/locale") from None


def statistic_title(slug: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A statistic's title from the catalogue of statistics (config/statistik.py)."""
    stat = BY_SLUG[slug]
    if lang not in LANGUAGES:
        raise MissingTranslation(f"no {lang!r} title for statistic {slug!r}")
    return stat.judul if lang == "id" else stat.title


def grid_locale(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """AG Grid's localeText for lang (its own menu and filter words)."""
    prefix = "grid."
    return {key[len(prefix) :]: t(key, lang) for key in GRID_KEYS}
