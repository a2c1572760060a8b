"""HTTP for pulling villages: pooled sessions, timeouts, bounded retries with backoff."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from collectors.model import Reason
from config.settings import Settings

RETRY_STATUSES = (429, 500, 502, 503, 504)
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
    """One pooled requests.Session per worker thread, with the sweep's retry policy."""

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
                status=self.settings.retries,
                other=0,
                status_forcelist=RETRY_STATUSES,
                allowed_methods=frozenset({"GET", "POST"}),
                backoff_factor=self.settings.backoff,
                backoff_max=10,
                respect_retry_after_header=True,
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
    ) -> Response:
        """GET with connect/read timeouts; raise FetchError when no answer came back."""
        return self.request("GET", url, params=params, headers=headers)

    def post_json(self, url: str, payload: dict, *, headers: dict | None = None) -> Response:
        return self.request("POST", url, json_body=payload, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        headers: dict[str, str] | None = None,
        json_body: dict | None = None,
    ) -> Response:
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
            ) as resp:
                body = _read_capped(resp, start, self.settings.request_deadline)
                elapsed = int((time.perf_counter() - start) * 1000)
                return Response(resp.status_code, body, dict(resp.headers), elapsed)
        except requests.exceptions.Timeout:
            raise self._timeout() from None
        except requests.exceptions.RetryError as exc:
            detail = _reason(exc)
            raise FetchError(
                f"gave up after retries: {detail}",
                code="http.retries",
                params={"detail": detail},
            ) from None
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise self._timeout() from None
            detail = _reason(exc)
            raise FetchError(
                f"connection failed: {detail}", code="http.connection", params={"detail": detail}
            ) from None
        except requests.exceptions.RequestException as exc:
            detail = _reason(exc)
            raise FetchError(
                f"request failed: {detail}", code="http.request", params={"detail": detail}
            ) from None

    def _timeout(self) -> FetchError:
        seconds = self.settings.read_timeout
        return FetchError(
            f"no answer within {seconds:g} s (timeout)",
            code="http.timeout",
            params={"detik": seconds},
            timeout=True,
        )


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
