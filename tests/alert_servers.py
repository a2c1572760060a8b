"""Local stand-ins for the alert channels: an SMTP server (aiosmtpd) that keeps every message
it accepts, and a Telegram bot API on a loopback port that records sendMessage calls and can
be told to fail (issue 13)."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Keeper:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()  # mailboxes answered 550, as a full or unknown one
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:<free port>; `messages` = (recipients, parsed message)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.keeper = _Keeper()
        self.controller = Controller(self.keeper, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list:
        with self.keeper.lock:
            return list(self.keeper.messages)

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt]

    def clear(self) -> None:
        with self.keeper.lock:
            self.keeper.messages.clear()
        self.keeper.refuse.clear()


class TelegramStub:
    """POST /bot<token>/sendMessage answered as the bot API does; `fail_chats`: chat ids
    answered with HTTP 502 and ok=false, as when Telegram is down for them."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[dict] = []
        self.fail_chats: set[str] = set()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != f"/bot{stub.token}/sendMessage":
                    self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                chat = str(body.get("chat_id"))
                if chat in stub.fail_chats:
                    self._answer(502, {"ok": False, "description": "Bad Gateway"})
                    return
                stub.calls.append(body)
                self._answer(200, {"ok": True, "result": {"message_id": len(stub.calls)}})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> TelegramStub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def to(self, chat: str) -> list[dict]:
        return [c for c in self.calls if str(c["chat_id"]) == chat]
