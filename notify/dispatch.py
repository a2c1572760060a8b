"""The alert check and the weekly digest, as the scheduler process runs them.

`check`: run the rules (aggregates.alerts), store what opened, stayed open or cleared
(warehouse.alerts), then tell each recipient in one message per kind what they have not been
told yet: alerts opened in their kecamatan (admins: every kecamatan), and the clearing of
alerts they were told of. Who already knows comes from the send log, so a second check sends
nothing, a send that failed is tried again at the next check, and a recipient added later
hears of the alerts open now. One recipient's or one channel's failure is recorded and the
others go on; nothing here raises for a failed send.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from aggregates import alerts as agg
from aggregates import monitoring as mon
from config.settings import Settings
from notify import messages
from notify.channels import ChannelError, channels_from_settings
from notify.recipients import Recipient, from_settings, from_users, mask, merged
from warehouse import alerts as wa
from warehouse.store import Warehouse

__all__ = ["CheckReport", "check", "send_digest", "week_of"]

log = logging.getLogger(__name__)

CLEAR_NOTICE_DAYS = 7  # a clear notice that could not be sent is tried this long
DIGEST_DAYS = 7


@dataclass
class CheckReport:
    found: pd.DataFrame
    opened: pd.DataFrame
    still: pd.DataFrame
    cleared: pd.DataFrame
    sends: list[dict] = field(default_factory=list)

    @property
    def failed_sends(self) -> int:
        return sum(1 for s in self.sends if not s["ok"])


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _names(regions: pd.DataFrame) -> dict[str, str]:
    return dict(zip(regions["kode"], regions["nama"], strict=True)) if not regions.empty else {}


def _send_one(
    channels: Mapping,
    recipient: Recipient,
    message: messages.Message,
    *,
    kind: str,
    keys: Sequence[str],
    kode_kecamatan: str | None,
    now: datetime,
) -> list[dict]:
    """Send one message; one send-log row per alert it carries, ok or with the error."""
    channel = channels[recipient.channel]
    error = None
    try:
        channel.send(recipient.address, message)
    except ChannelError as exc:
        error = str(exc)
    except Exception as exc:  # a bug or an odd library error must not stop the others
        log.exception("alert %s to %s %s failed", kind, recipient.channel, mask(recipient.address))
        error = f"{type(exc).__name__}: {exc}"
    if error:
        log.warning("alert %s to %s %s failed: %s", kind, recipient.channel,
                    mask(recipient.address), error)  # fmt: skip
    batch = uuid.uuid4().hex
    return [
        dict(
            at=now,
            batch=batch,
            kind=kind,
            alert_key=key,
            kode_kecamatan=kode_kecamatan,
            channel=recipient.channel,
            recipient=recipient.address,
            ok=error is None,
            error=error,
        )
        for key in keys
    ]


def recipients_of(store: Warehouse, settings: Settings) -> list[Recipient]:
    """The settings' recipients and the users' own addresses (issue 10's accounts)."""
    return merged(from_settings(settings), from_users(wa.user_contacts_frame(store)))


def _usable(recipients: Sequence[Recipient], channels: Mapping) -> list[Recipient]:
    missing = sorted({r.channel for r in recipients} - set(channels))
    for name in missing:
        setting = "smtp_host" if name == "email" else "telegram_bot_token"
        log.warning("alerts: recipients on %s but %s is not set; they are not told", name, setting)
    return [r for r in recipients if r.channel in channels]


def check(
    store: Warehouse,
    settings: Settings,
    *,
    now: datetime | None = None,
    send: bool = True,
    recipients: Sequence[Recipient] | None = None,
    channels: Mapping | None = None,
) -> CheckReport:
    """Run the rules; with `send`, store the changes and tell who has not been told yet.
    Without, nothing is written (`dasbor alerts check` without --send)."""
    now = _now(now)
    rules = agg.AlertRules.from_settings(settings)
    inputs = agg.load_inputs(store, failing_runs=rules.failing_runs)
    found = agg.find_alerts(inputs, rules, now)
    diff = agg.diff_alerts(found, wa.states_frame(store))
    report = CheckReport(found, diff.opened, diff.still, diff.cleared)
    if not send:
        return report
    wa.apply_changes(store, diff.opened, diff.still, list(diff.cleared["key"]), now)
    recipients = recipients_of(store, settings) if recipients is None else list(recipients)
    channels = channels_from_settings(settings) if channels is None else channels
    report.sends = deliver(store, settings, inputs.regions, recipients, channels, now)
    return report


def deliver(
    store: Warehouse,
    settings: Settings,
    regions: pd.DataFrame,
    recipients: Sequence[Recipient],
    channels: Mapping,
    now: datetime,
) -> list[dict]:
    """Tell each recipient the open alerts of their scope they were not told of, and the
    clearing of those they were told of; record every attempt."""
    recipients = _usable(recipients, channels)
    if not recipients:
        return []
    states = wa.states_frame(store)
    if states.empty:
        return []
    told = wa.delivered_frame(store)
    knows = {tuple(r) for r in told[["alert_key", "kind", "channel", "recipient"]].to_numpy()}
    open_rows = states[states["status"] == "open"]
    since = pd.Timestamp(now - timedelta(days=CLEAR_NOTICE_DAYS))
    cleared_rows = states[(states["status"] == "cleared") & (states["cleared_at"] >= since)]
    names = _names(regions)
    sends: list[dict] = []
    for who in recipients:
        mine_open = _scope(open_rows, who)
        pending = [
            r for r in mine_open if (r["key"], "open", who.channel, who.address) not in knows
        ]
        mine_cleared = _scope(cleared_rows, who)
        clears = [
            r
            for r in mine_cleared
            if (r["key"], "open", who.channel, who.address) in knows
            and (r["key"], "clear", who.channel, who.address) not in knows
        ]
        for kind, rows in (("open", pending), ("clear", clears)):
            if not rows:
                continue
            message = messages.notice(
                kind, rows, names, settings.public_base_url, who.lang,
                kode_kecamatan=who.kode_kecamatan,
            )  # fmt: skip
            batch = _send_one(
                channels, who, message, kind=kind, keys=[r["key"] for r in rows],
                kode_kecamatan=who.kode_kecamatan, now=now,
            )  # fmt: skip
            wa.record_sends(store, batch)
            sends += batch
    return sends


def _scope(states: pd.DataFrame, who: Recipient) -> list[dict]:
    rows = states if who.is_admin else states[states["kode_kecamatan"] == who.kode_kecamatan]
    return rows.sort_values("key").to_dict("records")


# -- the weekly digest -------------------------------------------------------------------------
def week_of(now: datetime, timezone: str) -> str:
    """The ISO week of `now` where the kabupaten is: "2026-W49"."""
    year, week, _ = now.astimezone(ZoneInfo(timezone)).isocalendar()
    return f"{year}-W{week:02d}"


def _counts(
    fresh: pd.DataFrame, states: pd.DataFrame, kode: str | None, since: pd.Timestamp
) -> dict[str, int]:
    f = fresh if kode is None else fresh[fresh["kode_kecamatan"] == kode]
    s = states if kode is None or states.empty else states[states["kode_kecamatan"] == kode]
    out = {k: int((f["keadaan"] == k).sum()) for k in mon.KEADAAN}
    out["desa"] = len(f)
    if s.empty:
        out.update(dibuka=0, pulih=0)
    else:
        out["dibuka"] = int((s["opened_at"] >= since).sum())
        out["pulih"] = int(((s["status"] == "cleared") & (s["cleared_at"] >= since)).sum())
    return out


def send_digest(
    store: Warehouse,
    settings: Settings,
    *,
    now: datetime | None = None,
    recipients: Sequence[Recipient] | None = None,
    channels: Mapping | None = None,
) -> list[dict]:
    """The week's digest: each kecamatan's to its operators, one of every kecamatan to the
    admins (a section per kecamatan). A digest already sent this week is not sent again."""
    now = _now(now)
    recipients = recipients_of(store, settings) if recipients is None else list(recipients)
    channels = channels_from_settings(settings) if channels is None else channels
    recipients = _usable(recipients, channels)
    if not recipients:
        return []
    week = week_of(now, settings.timezone)
    regions = store.regions_frame()
    names = _names(regions)
    fresh = mon.freshness(store.dataset_status_frame(), regions, now)
    states = wa.states_frame(store)
    open_rows = states[states["status"] == "open"] if not states.empty else states
    since = pd.Timestamp(now - timedelta(days=DIGEST_DAYS))
    keys = {who: f"digest:{week}:{who.kode_kecamatan or '*'}" for who in recipients}
    done = wa.digest_delivered(store, sorted(set(keys.values())))
    sends: list[dict] = []
    for who in recipients:
        key = keys[who]
        if (key, who.channel, who.address) in done:
            continue
        mine = _scope(open_rows, who) if not open_rows.empty else []
        counts = _counts(fresh, states, who.kode_kecamatan, since)
        message = messages.digest(
            who.kode_kecamatan, counts, mine, names, settings.public_base_url, who.lang,
            week=week, per_kecamatan=None if not who.is_admin else _per_kecamatan(
                fresh, states, since, names, settings.public_base_url, who.lang
            ),
        )  # fmt: skip
        batch = _send_one(
            channels, who, message, kind="digest", keys=[key],
            kode_kecamatan=who.kode_kecamatan, now=now,
        )  # fmt: skip
        wa.record_sends(store, batch)
        sends += batch
    return sends


def _per_kecamatan(
    fresh: pd.DataFrame,
    states: pd.DataFrame,
    since: pd.Timestamp,
    names: Mapping[str, str],
    base_url: str,
    lang: str,
) -> list[messages.Line]:
    """One line per kecamatan for the admins' digest."""
    out = []
    for kode in sorted(fresh["kode_kecamatan"].dropna().unique()):
        counts = _counts(fresh, states, kode, since)
        opened = 0
        if not states.empty:
            mine = states[(states["kode_kecamatan"] == kode) & (states["status"] == "open")]
            opened = len(mine)
        out.append(messages.kecamatan_line(kode, counts, opened, names, base_url, lang))
    return out
