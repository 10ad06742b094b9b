"""What every screen gets: the unlocked database and the date it treats as today."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from models.storage import Database


@dataclass
class AppContext:
    db: Database
    today: Callable[[], dt.date] = field(default=dt.date.today)
