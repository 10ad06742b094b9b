"""Hybrid logical clock: one int = 48-bit wall milliseconds << 16 | 16-bit counter.

It never goes backwards (persisted across restarts) and moves past every clock value it has seen,
so an edit made after seeing another always sorts after it even when wall clocks disagree.
Remote values are only folded in up to MAX_REMOTE_LEAD ahead of our wall time (a peer with a clock a
year fast must not drag every later local edit a year into the future; causality comes from `pred`)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1
MAX_REMOTE_LEAD_MS = 24 * 3600 * 1000


def pack(wall_ms: int, counter: int) -> int:
    return (wall_ms << COUNTER_BITS) | counter


def wall_ms_of(hlc: int) -> int:
    return hlc >> COUNTER_BITS


def _system_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class HybridClock:
    last: int = 0
    wall: Callable[[], int] = field(default=_system_ms)

    def tick(self) -> int:
        """A new timestamp for a local event, strictly greater than any returned or observed before."""
        now = pack(self.wall(), 0)
        self.last = now if now > self.last else self.last + 1
        return self.last

    def observe(self, remote: int) -> None:
        """Fold in a remote timestamp, bounded by our wall time plus MAX_REMOTE_LEAD_MS."""
        ceiling = pack(self.wall() + MAX_REMOTE_LEAD_MS, COUNTER_MASK)
        self.last = max(self.last, min(remote, ceiling))
