"""The village-summary v1 route: our pull contract, one document per village and year.

`GET /<kode digits>/api/village-summary/v1?tahun=YYYY`: the document of
`simulator.synthetic.village_record`, canonical JSON, a strong ETag (If-None-Match gives 304),
and a bearer token where the registry row has one.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

from simulator.faults import broken_document, with_unknown_fields
from simulator.http import Reply, error_reply, etag_matches, etag_of, json_body
from simulator.synthetic import document_bytes

PATH = ("api", "village-summary", "v1")
NO_TOKEN_KNOWN = object()  # token from an unset env variable: nobody can authenticate


def authorized(token: object, authorization: str | None) -> bool:
    """Whether the Authorization header carries the village's bearer token (None: open)."""
    if token is None:
        return True
    if token is NO_TOKEN_KNOWN or not authorization:
        return False
    scheme, _, given = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), str(token).encode())


def answer(
    doc: dict,
    body: bytes,
    etag: str,
    headers: Mapping[str, str],
    *,
    token: object,
    fault: str | None,
    other_code: str,
) -> Reply:
    """The document (or 304, or 401), as a village with `fault` serves it."""
    if not authorized(token, headers.get("Authorization")):
        return error_reply(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
    if fault == "bad-json":  # before the ETag check: a cached copy must not hide it
        return Reply(200, body[: len(body) // 2], {"Content-Type": "application/json"})
    broken = broken_document(doc, fault, other_code)
    if broken is not doc:
        body = document_bytes(broken)
        etag = etag_of(body)
    if fault == "unknown-fields":  # the ETag must be that of the bytes sent
        body = json_body(with_unknown_fields(json.loads(body)))
        etag = etag_of(body)
    cache_headers = {"ETag": etag, "Cache-Control": "no-cache"}
    inm = headers.get("If-None-Match")
    if inm and etag_matches(inm, etag):
        return Reply(304, b"", cache_headers)
    return Reply(200, body, {"Content-Type": "application/json", **cache_headers})
