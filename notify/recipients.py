"""Who is told: each kecamatan's operators and the admins, per channel, from settings.

`alert_email_kecamatan = "17.03.06=a@x.id,b@y.id; 17.03.07=c@z.id"`, `alert_email_admins =
"d@x.id"`, the same for Telegram chat ids; an address ending in `:en` gets English."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from config.settings import Settings, SettingsError
from i18n.catalogue import LANGUAGES

CHANNELS = ("email", "telegram")
log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s:,;]+@[^@\s:,;]+\.[^@\s:,;]+$")
_CHAT = re.compile(r"^-?\d{1,20}$|^@[A-Za-z0-9_]{5,64}$")  # an id, or a channel's @name
_KODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")


@dataclass(frozen=True)
class Recipient:
    channel: str  # email, telegram
    address: str  # an e-mail address or a Telegram chat id
    lang: str = "id"
    kode_kecamatan: str | None = None  # None: an admin (every kecamatan)

    @property
    def is_admin(self) -> bool:
        return self.kode_kecamatan is None


def _entries(setting: str, raw: str, channel: str, kecamatan: str | None) -> list[Recipient]:
    out = []
    for item in (p.strip() for p in raw.split(",")):
        if not item:
            continue
        address, _, lang = item.rpartition(":") if item.endswith((":id", ":en")) else (item, "", "")
        lang = lang or LANGUAGES[0]
        pattern = _EMAIL if channel == "email" else _CHAT
        if not pattern.match(address):
            what = "an e-mail address" if channel == "email" else "a Telegram chat id"
            raise SettingsError(f"setting {setting!r}: {item!r} is not {what}")
        out.append(Recipient(channel, address, lang, kecamatan))
    return out


def _per_kecamatan(setting: str, raw: str, channel: str) -> list[Recipient]:
    out = []
    for part in (p.strip() for p in raw.split(";")):
        if not part:
            continue
        kode, sep, addresses = part.partition("=")
        kode = kode.strip()
        if not sep or not _KODE.match(kode):
            raise SettingsError(
                f"setting {setting!r}: {part!r} is not '<kode kecamatan>=<addresses>' "
                "(e.g. 17.03.06=a@x.id,b@y.id)"
            )
        out += _entries(setting, addresses, channel, kode)
    return out


def from_settings(settings: Settings) -> list[Recipient]:
    """Every recipient the settings name (a wrong entry stops with the setting's name)."""
    return [
        *_entries("alert_email_admins", settings.alert_email_admins, "email", None),
        *_per_kecamatan("alert_email_kecamatan", settings.alert_email_kecamatan, "email"),
        *_entries("alert_telegram_admins", settings.alert_telegram_admins, "telegram", None),
        *_per_kecamatan("alert_telegram_kecamatan", settings.alert_telegram_kecamatan, "telegram"),
    ]


def for_kecamatan(recipients: Iterable[Recipient], kode_kecamatan: str | None) -> list[Recipient]:
    """The operators of `kode_kecamatan` and the admins."""
    return [r for r in recipients if r.is_admin or r.kode_kecamatan == kode_kecamatan]


def from_users(contacts: object) -> list[Recipient]:
    """Recipients from the users' own addresses (warehouse.alerts.user_contacts_frame): an
    admin hears of every kecamatan, an operator of theirs; an operator without a kecamatan,
    or an address that is not one, is left out (and logged)."""
    out = []
    for row in contacts.to_dict("records"):  # type: ignore[attr-defined]
        admin = row["role"] == "admin"
        if not admin and not row["kode_kecamatan"]:
            log.warning("alerts: operator %s has no kecamatan; not told", row["username"])
            continue
        lang = row["alert_language"] if row["alert_language"] in LANGUAGES else LANGUAGES[0]
        scope = None if admin else row["kode_kecamatan"]
        for channel, column, pattern in (
            ("email", "alert_email", _EMAIL),
            ("telegram", "alert_telegram", _CHAT),
        ):
            address = row[column]
            if not address:
                continue
            if not pattern.match(str(address)):
                log.warning("alerts: user %s: %s is not valid", row["username"], column)
                continue
            out.append(Recipient(channel, str(address), lang, scope))
    return out


def check_address(channel: str, address: str) -> None:
    """Raise SettingsError unless `address` is an e-mail address / a Telegram chat id."""
    pattern = _EMAIL if channel == "email" else _CHAT
    if not pattern.match(address):
        what = "an e-mail address" if channel == "email" else "a Telegram chat id"
        raise SettingsError(f"{address!r} is not {what}")


def merged(*groups: Iterable[Recipient]) -> list[Recipient]:
    """The recipients of every group, each channel and address once (the first entry wins)."""
    seen: dict[tuple[str, str], Recipient] = {}
    for group in groups:
        for r in group:
            seen.setdefault((r.channel, r.address), r)
    return list(seen.values())


def mask(address: object) -> str:
    """a•••@desa.id, •••6789: enough for an operator to recognise their own, no more (the
    public page, the logs)."""
    text = str(address or "")
    if "@" in text:
        user, _, domain = text.partition("@")
        return f"{user[:1]}•••@{domain}"
    return "•••" + text[-4:] if len(text) > 4 else "•••"
