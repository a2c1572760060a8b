"""Deterministic randomness and integer splitting for the synthetic villages.

Every generator is `random.Random` seeded with a string ("{seed}:{kode}:agama"), so the same
parts give the same numbers in every process; counts are split into whole numbers that add up.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence


def digits(kode: str) -> str:
    """A village code in digits only, from either spelling."""
    return kode.replace(".", "").strip()


def stable_int(*parts: object) -> int:
    """A 64-bit integer from the parts that is the same in every process (unlike hash())."""
    text = ":".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def seeded(*parts: object) -> random.Random:
    """A generator seeded from a string; random.Random hashes strings with SHA-512."""
    return random.Random(":".join(str(p) for p in parts))


def apportion(
    n: int, weights: Sequence[float], rng: random.Random, caps: Sequence[int] | None = None
) -> list[int]:
    """Split n into integer parts proportional to weights; leftovers go to random parts."""
    k = len(weights)
    if n <= 0:
        return [0] * k
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("apportion: all weights are zero")
    if caps is not None and n > sum(caps):
        raise ValueError("apportion: n exceeds the caps")
    shares = [n * w / total for w in weights]
    counts = [int(s) for s in shares]
    if caps is not None:
        counts = [min(c, cap) for c, cap in zip(counts, caps, strict=True)]
    room = [caps is None or c < cap for c, cap in zip(counts, caps or counts, strict=True)]
    fracs = [s - c if ok else 0.0 for s, c, ok in zip(shares, counts, room, strict=True)]
    rest = n - sum(counts)
    while rest > 0:
        if sum(fracs) <= 0:  # float dust used up the fractions: fall back to the weights
            fracs = [
                w if caps is None or c < cap else 0.0
                for w, c, cap in zip(weights, counts, caps or counts, strict=True)
            ]
        i = rng.choices(range(k), weights=fracs)[0]
        counts[i] += 1
        fracs[i] = 0.0
        rest -= 1
    return counts


def remove_some(counts: list[int], k: int, rng: random.Random) -> list[int]:
    """Take k people out of the categories in proportion to their size."""
    taken = apportion(k, counts, rng, caps=counts)
    return [c - t for c, t in zip(counts, taken, strict=True)]


def category_noise(
    codes: Sequence[str], rng: random.Random, sigma: float = 0.25
) -> dict[str, float]:
    """Per-village multiplicative noise per category, so villages differ in character."""
    return {code: math.exp(rng.gauss(0.0, sigma)) for code in codes}


def share_of(n: int, share: float) -> int:
    """round(n * share), never more than n nor less than 0."""
    return max(0, min(n, round(n * share)))
