"""HTTP for pulling villages: pooled sessions, timeouts, bounded retries with backoff, bounded
waits, redirects kept to the origin asked."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import DEFAULT_PORTS
from urllib3.util.retry import Retry

from collectors.model import Reason
from config.settings import Settings

RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRY_AFTER_STATUSES = (429, 503)  # the statuses whose Retry-After is honoured
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
BACKOFF_MAX_S = 10.0
MAX_BODY_BYTES = 20 * 1024 * 1024
USER_AGENT = "dasbor-kecamatan/0.1 (+collector)"


class FetchError(Exception):
    """The village could not be reached or did not answer in time; the message says why (in
    English, for operators), `code` and `params` say it for the pages (see Reason)."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        params: Mapping | None = None,
        http_status: int | None = None,
        timeout: bool = False,
    ):
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})
        self.http_status = http_status
        self.timeout = timeout

    @property
    def reason(self) -> Reason:
        return Reason(str(self), self.code, self.params)

    @classmethod
    def of(
        cls, reason: Reason, *, http_status: int | None = None, timeout: bool = False
    ) -> FetchError:
        """The error that says `reason` (a reason passed on, not a new one)."""
        return cls(
            reason.text, code=reason.code, params=reason.params, http_status=http_status,
            timeout=timeout,
        )  # fmt: skip


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    duration_ms: int
    url: str = ""  # where it came from (after same-origin redirects)


class _Session(requests.Session):
    """A requests.Session that reads proxy and CA settings from the environment once per
    host instead of on every request.

    requests walks os.environ twice per request for proxies and no_proxy: about a quarter of
    a request's CPU, in a sweep whose fetching threads share one interpreter lock with the
    writer. A session lives for one sweep, and the environment does not change during one.
    """

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple, dict] = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if proxies:  # proxies given for this request: requests' own way
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, stream, verify, cert)
        settings = self._environment.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            self._environment[key] = settings
        return {**settings, "proxies": dict(settings["proxies"])}


class HttpClient:
    """One pooled requests.Session per worker thread, with the sweep's retry policy.

    Connection errors are retried by urllib3 (`retries`, with backoff); statuses 429 and 5xx
    are retried here, so that every wait is bounded: a `Retry-After` (429, 503) is honoured
    only when it fits in what is left of the request's and the village's deadlines, and
    refused at once with a reason that says so when it does not (urllib3 would sleep for
    whatever the village asks). Redirects are followed here too, and only within the origin
    the request was made to: a redirect to another origin is never followed, so a token,
    a password or a body goes only where the registry says (requests would re-send a 307's
    body, and its other headers, to any host).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            retry = Retry(
                total=self.settings.retries,
                connect=self.settings.retries,
                read=0,  # a read timeout means the village hangs; retrying only waits longer
                status=0,  # statuses are retried in request(), with bounded waits
                other=0,
                redirect=0,  # never followed by urllib3 (requests asks it not to, anyway)
                status_forcelist=(),
                allowed_methods=frozenset({"GET", "POST"}),
                backoff_factor=self.settings.backoff,
                backoff_max=BACKOFF_MAX_S,
                respect_retry_after_header=False,
                raise_on_status=False,
            )
            adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=4)
            session = _Session()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = USER_AGENT
            self._local.session = session
        return session

    def get(
        self,
        url: str,
        *,
        params: dict | None = None,
        headers: dict[str, str] | None = None,
        until: float | None = None,
    ) -> Response:
        """GET with connect/read timeouts; raise FetchError when no answer came back.
        `until`: the time (time.perf_counter()) by which the village must be done."""
        return self.request("GET", url, params=params, headers=headers, until=until)

    def post_json(
        self, url: str, payload: dict, *, headers: dict | None = None, until: float | None = None
    ) -> Response:
        return self.request("POST", url, json_body=payload, headers=headers, until=until)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        headers: dict[str, str] | None = None,
        json_body: dict | None = None,
        until: float | None = None,
    ) -> Response:
        """One answer: retried on 429 and 5xx within the deadlines, redirects followed within
        the origin of `url` only; raise FetchError when no usable answer came back."""
        origin = _origin(url)
        start = time.perf_counter()
        attempt = hops = 0
        while True:
            resp = self._exchange(method, url, params, headers, json_body)
            if resp.status in REDIRECT_STATUSES and resp.headers.get("Location"):
                target = urljoin(resp.url or url, resp.headers["Location"])
                if _origin(target) != origin:
                    raise FetchError(
                        f"HTTP {resp.status}: redirected to {_shown_origin(target)}, another "
                        f"origin than {_shown_origin(url)}; not followed, so no token, password "
                        "or body goes there (if the village moved, change its base_url in the "
                        "registry)",
                        code="http.redirect_other_origin",
                        params={"http_status": resp.status},
                        http_status=resp.status,
                    )
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise FetchError(
                        f"HTTP {resp.status}: more than {MAX_REDIRECTS} redirects; gave up",
                        code="http.redirect_loop",
                        params={"http_status": resp.status, "batas": MAX_REDIRECTS},
                        http_status=resp.status,
                    )
                if resp.status == 303 or (resp.status in (301, 302) and method != "GET"):
                    method, json_body = "GET", None  # as browsers and requests do
                url, params = target, None  # the Location carries its own query
                continue
            if resp.status not in RETRY_STATUSES or attempt >= self.settings.retries:
                return resp
            asked = retry_after(resp.headers) if resp.status in RETRY_AFTER_STATUSES else None
            wait = asked if asked is not None else self._backoff(attempt)
            room = self._room(start, until)
            if wait > room:
                if asked is None:
                    return resp  # no time left for another try: this answer, as it is
                raise FetchError(
                    f"HTTP {resp.status}: the village asked to wait {asked:g} s before trying "
                    f"again (Retry-After), more than the {max(room, 0):.0f} s left of its "
                    "deadline; not waited",
                    code="http.retry_after_too_long",
                    params={"http_status": resp.status, "detik": round(asked),
                            "batas": max(round(room), 0)},
                    http_status=resp.status,
                )  # fmt: skip
            if wait > 0:
                time.sleep(wait)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return min(self.settings.backoff * (2**attempt), BACKOFF_MAX_S)

    def _room(self, start: float, until: float | None) -> float:
        """Seconds a wait may still take: what is left of the request deadline, and of the
        village's (`until`)."""
        now = time.perf_counter()
        room = self.settings.request_deadline - (now - start)
        if until is not None:
            room = min(room, until - now)
        return room

    def _exchange(
        self,
        method: str,
        url: str,
        params: dict | None,
        headers: dict[str, str] | None,
        json_body: dict | None,
    ) -> Response:
        """One request and its answer, no redirect followed, no status retried."""
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        start = time.perf_counter()
        try:
            with self._session().request(
                method,
                url,
                params=params,
                headers=headers,
                json=json_body,
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            ) as resp:
                body = _read_capped(resp, start, self.settings.request_deadline)
                elapsed = int((time.perf_counter() - start) * 1000)
                return Response(resp.status_code, body, dict(resp.headers), elapsed, resp.url)
        except requests.exceptions.Timeout:
            raise self._timeout() from None
        except requests.exceptions.RetryError as exc:
            detail = _reason(exc)
            raise FetchError(
                f"gave up after retries: {detail}",
                code="http.retries",
                params={"detail": host_free(detail)},
            ) from None
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise self._timeout() from None
            raise connection_error(exc) from None
        except requests.exceptions.RequestException as exc:
            detail = _reason(exc)
            raise FetchError(
                f"request failed: {detail}",
                code="http.request",
                params={"detail": host_free(detail)},
            ) from None

    def _timeout(self) -> FetchError:
        seconds = self.settings.read_timeout
        return FetchError(
            f"no answer within {seconds:g} s (timeout)",
            code="http.timeout",
            params={"detik": seconds},
            timeout=True,
        )


def _origin(url: str) -> tuple[str, str, int | None]:
    """scheme, host and port of a URL, the port made explicit: what a redirect must keep."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # an unreadable port matches nothing
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def _shown_origin(url: str) -> str:
    """The origin of a URL as operators read it (no path, no query: no token in a URL)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"[:120]


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a `Retry-After` header asks for (delay-seconds or an HTTP date), or None
    when there is none or it cannot be read."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(min(int(value[:12]), 10**9))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


# what a failed connection's message says, in the words of the OS and urllib3
_DNS = (
    "nameresolutionerror",
    "failed to resolve",
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "no address associated",
)
_REFUSED = ("connection refused", "errno 111")
_RESET = (
    "connection reset",
    "connection aborted",
    "remotedisconnected",
    "broken pipe",
    "errno 104",
)
_UNREACHABLE = ("network is unreachable", "no route to host", "errno 101", "errno 113")  # fmt: skip


def connection_error(exc: Exception) -> FetchError:
    """The FetchError of a connection that failed. Its original text keeps what urllib3 said
    (the host and port included, for operators); its reason for the pages names the kind of
    failure only, never the address (internal addresses stay out of the public pages)."""
    detail = _reason(exc)
    text = f"connection failed: {detail}"
    lowered = str(exc).lower()
    if isinstance(exc, requests.exceptions.SSLError) or "certificate verify failed" in lowered:
        return FetchError(text, code="http.tls", params={})
    if any(w in lowered for w in _DNS):
        return FetchError(text, code="http.dns", params={})
    if any(w in lowered for w in _REFUSED):
        return FetchError(text, code="http.connection_refused", params={})
    if any(w in lowered for w in _RESET):
        return FetchError(text, code="http.connection_reset", params={})
    if any(w in lowered for w in _UNREACHABLE):
        return FetchError(text, code="http.unreachable", params={})
    return FetchError(text, code="http.connection", params={"detail": host_free(detail)})


_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\")]+")
_HOST_ARG = re.compile(r"\b(host|port)=(?:'[^']*'|\"[^\"]*\"|[^\s,)]+)")
_IPV6 = re.compile(r"\[[0-9a-fA-F:.]+\](?::\d{1,5})?")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b")
_HOST_PORT = re.compile(r"\b(?=[\w.-]*[A-Za-z])[\w-]+(?:\.[\w-]+)*:\d{2,5}\b")
_QUOTED_HOST = re.compile(r"(resolve|host|connect to) '[^']*'", re.IGNORECASE)
_OBJECT_AT = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>")
_IN_URL = re.compile(r"(with url|url): \S+", re.IGNORECASE)


def host_free(text: str) -> str:
    """A message with every URL, host, address and port taken out (`…` instead): what a
    reason may show on the public pages (its original text keeps them, for operators)."""
    text = _URL.sub("…", text)
    text = _IN_URL.sub(r"\1: …", text)
    text = _HOST_ARG.sub(r"\1=…", text)
    text = _QUOTED_HOST.sub(r"\1 …", text)
    text = _OBJECT_AT.sub("…", text)
    text = _IPV6.sub("…", text)
    text = _IPV4.sub("…", text)
    return _HOST_PORT.sub("…", text)[:300]


def _read_capped(resp: requests.Response, start: float, deadline: float) -> bytes:
    """The body, refusing one over MAX_BODY_BYTES or one that trickles in past the deadline
    (a read timeout only bounds the gap between two packets)."""
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise FetchError(
            f"payload too large: {int(declared)} bytes (limit {MAX_BODY_BYTES})",
            code="http.too_large",
            params={"besar": int(declared), "batas": MAX_BODY_BYTES},
            http_status=resp.status_code,
        )
    chunks, size = [], 0
    for chunk in resp.iter_content(8 * 1024):
        size += len(chunk)
        # checked after each piece, the last one included: a drip that ends late is late too
        if time.perf_counter() - start > deadline:
            raise FetchError(
                f"answer took over {deadline:g} s to arrive (slow drip); gave up",
                code="http.slow_drip",
                params={"detik": deadline},
                http_status=resp.status_code,
                timeout=True,
            )
        if size > MAX_BODY_BYTES:
            raise FetchError(
                f"payload too large: over {MAX_BODY_BYTES} bytes",
                code="http.too_large_stream",
                params={"batas": MAX_BODY_BYTES},
                http_status=resp.status_code,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(exc: Exception) -> str:
    text = str(exc)
    # urllib3 wraps the real reason deep inside; keep the message short and readable
    for marker in ("Caused by ", "reason: "):
        if marker in text:
            text = text.split(marker, 1)[1]
    return text.strip("()' ")[:300]


def describe_status(status: int) -> str:
    """Plain words for an HTTP status a village answered with."""
    return status_reason(status).text


def status_reason(status: int) -> Reason:
    """The reason of an HTTP status a village answered with (describe_status's text)."""
    if status == 401:
        return Reason(
            "HTTP 401: token wrong or expired (check the registry token)",
            code="http.unauthorized",
            params={"http_status": status},
        )
    if status == 403:
        return Reason("HTTP 403: access refused", code="http.forbidden",
                      params={"http_status": status})  # fmt: skip
    if status == 404:
        return Reason(
            "HTTP 404: endpoint not found (wrong base_url or adapter?)",
            code="http.not_found",
            params={"http_status": status},
        )
    if status == 429:
        return Reason(
            "HTTP 429: too many requests, still rate-limited after backing off",
            code="http.rate_limited",
            params={"http_status": status},
        )
    if status >= 500:
        return Reason(
            f"HTTP {status}: server error at the village",
            code="http.server_error",
            params={"http_status": status},
        )
    return Reason(
        f"HTTP {status}: unexpected answer", code="http.unexpected", params={"http_status": status}
    )


def status_error(status: int, what: str | None = None) -> FetchError:
    """The FetchError of an HTTP status, said of `what` was fetched when given."""
    reason = status_reason(status)
    return FetchError.of(reason.at(what) if what else reason, http_status=status)
