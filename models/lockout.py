"""Failed-unlock handling (等保 登录失败处理, sync-security.md §B.3.6): after 5 wrong passwords in a row,
each further attempt must wait 30 s, 60 s, 120 s … (at most 15 min). Real brute-force resistance
comes from Argon2id; this stops guessing at the keyboard. The counters live in a small file beside
the database (the database itself cannot be written before it is unlocked), one per account name
(issue 16: a clerk mistyping does not lock the administrator out), and hold no secrets."""
from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.errors import DomainError
from models.fsutil import atomic_write_bytes

FREE_ATTEMPTS = 5
FIRST_DELAY_S = 30
MAX_DELAY_S = 15 * 60


def delay_after(failures: int) -> int:
    """Seconds to wait before the next attempt after `failures` wrong passwords in a row."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (failures - FREE_ATTEMPTS))


@dataclass
class UnlockGuard:
    path: Path
    now: Callable[[], float] = time.time
    account: str = ""   # "" = the account of a database with a single one

    @classmethod
    def for_db(cls, db_path: Path, now: Callable[[], float] = time.time, account: str = "") -> UnlockGuard:
        return cls(db_path.with_name(db_path.name + ".unlock.json"), now, account)

    def _read_all(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            counters = data["accounts"]
            return {str(k): {"failures": int(v["failures"]), "last": float(v["last"])} for k, v in counters.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def _read(self) -> tuple[int, float]:
        entry = self._read_all().get(self.account)
        return (int(entry["failures"]), float(entry["last"])) if entry else (0, 0.0)

    def _write(self, counters: dict[str, dict[str, float]]) -> None:
        if counters:
            atomic_write_bytes(self.path, json.dumps({"accounts": counters}).encode())
        else:
            self.path.unlink(missing_ok=True)

    def check(self) -> None:
        failures, last = self._read()
        wait = delay_after(failures) - (self.now() - last)
        if wait > 0:
            raise DomainError("locked_out", f"密码连续输错{failures}次，请{math.ceil(wait)}秒后再试")

    def failed(self) -> None:
        counters = self._read_all()
        failures = int(counters.get(self.account, {}).get("failures", 0))
        counters[self.account] = {"failures": failures + 1, "last": self.now()}
        self._write(counters)

    def succeeded(self) -> int:
        """Clears this account's counter; returns how many failures preceded this success (for the audit log)."""
        counters = self._read_all()
        entry = counters.pop(self.account, None)
        if entry is not None:
            self._write(counters)
        return int(entry["failures"]) if entry else 0
