"""Record ids: UUIDv7 (RFC 9562), minted offline on any workstation without collisions.
The embedded time only helps index locality; it is never trusted for ordering (the HLC is)."""
from __future__ import annotations

import secrets
import time
import uuid


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = secrets.randbits(74)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76                      # version 7
    value |= (rand >> 62) << 64             # 12 bits rand_a
    value |= 0b10 << 62                     # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)         # 62 bits rand_b
    return uuid.UUID(int=value)
