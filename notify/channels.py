"""The two ways an alert reaches a person: e-mail (SMTP) and Telegram (the bot API).

A channel's `send` raises ChannelError with a short reason; the caller records it and goes on
with the other recipients and channels. Secrets (the SMTP password, the bot token, which is
part of the bot API's URL) never appear in an error, a log line or the send log.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import requests

from config.settings import Settings
from notify.messages import Message

__all__ = ["ChannelError", "EmailChannel", "TelegramChannel", "channels_from_settings"]


class ChannelError(RuntimeError):
    """One send failed: the text says why, without secrets."""


def _scrub(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class EmailChannel:
    """SMTP with STARTTLS (587), implicit TLS (465) or none (a relay on the same machine)."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return bool(self.settings.smtp_host)

    def build(self, to: str, message: Message) -> EmailMessage:
        s = self.settings
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = s.smtp_from
        mail["To"] = to
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=s.smtp_from.rpartition("@")[2] or None)
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        return mail

    def send(self, to: str, message: Message) -> None:
        s = self.settings
        try:
            if s.smtp_tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.alert_timeout,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.alert_timeout)
            with client:
                if s.smtp_tls == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    client.login(s.smtp_user, s.smtp_password)
                refused = client.send_message(self.build(to, message))
            if refused:
                raise ChannelError(f"SMTP refused the recipient: {refused[to]}")
        except ChannelError:
            raise
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            reason = _scrub(f"{type(exc).__name__}: {exc}", s.smtp_password)
            raise ChannelError(f"SMTP {s.smtp_host}:{s.smtp_port}: {reason}") from None


class TelegramChannel:
    """The bot API's sendMessage (HTML parse mode) at `telegram_api_url`."""

    name = "telegram"

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.session.trust_env = False  # the bot token must not go through an unknown proxy

    @property
    def enabled(self) -> bool:
        return bool(self.settings.telegram_bot_token)

    def send(self, chat_id: str, message: Message) -> None:
        s = self.settings
        token = s.telegram_bot_token
        url = f"{s.telegram_api_url.rstrip('/')}/bot{token}/sendMessage"
        payload = {
            "chat_id": chat_id,
            "text": message.telegram,
            "parse_mode": "HTML",
            "disable_web_page_preview": True,
        }
        try:
            resp = self.session.post(url, json=payload, timeout=s.alert_timeout)
        except requests.RequestException as exc:
            # requests puts the URL, token included, into its messages
            reason = _scrub(f"{type(exc).__name__}: {exc}", token)
            raise ChannelError(f"Telegram: {reason}") from None
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code != 200 or not body.get("ok"):
            description = _scrub(str(body.get("description") or resp.reason or ""), token)[:300]
            raise ChannelError(f"Telegram: HTTP {resp.status_code}: {description}")


def channels_from_settings(settings: Settings) -> dict[str, EmailChannel | TelegramChannel]:
    """The channels that are configured, by name."""
    found = [EmailChannel(settings), TelegramChannel(settings)]
    return {c.name: c for c in found if c.enabled}
