"""Where a redirect of this site may lead back to (the language switch's `next`, sign-in's):
only a path of this site, never another host (issue 10)."""

from __future__ import annotations

from urllib.parse import urlsplit

HOME = "/"
MAX_NEXT = 2000  # characters: a real page address with its filters is a few hundred


def safe_next(target: str | None) -> str:
    """`target` when it is a plain path of this site ("/kependudukan?wilayah=17.03.06"), else
    "/". Browsers drop tab, CR and LF inside a URL and read a backslash as a slash, so
    "/\\t/evil.example" and "/\\\\evil.example" are other hosts to them: any control character,
    whitespace or backslash refuses the target, as does a scheme, a host or "//"."""
    if not target or len(target) > MAX_NEXT or not target.startswith("/"):
        return HOME
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return HOME
    if target.startswith("//"):
        return HOME
    try:
        parts = urlsplit(target)
    except ValueError:
        return HOME
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return HOME
    return target
