"""Imports every table module so `Base.metadata` is complete (migrations, tests, create_all)."""
from __future__ import annotations

from models import (  # noqa: F401
    accounts,  # noqa: F401  (the account table)
    attachment,
    audit,
    case,
    meeting,
    merge,
    oplog,
    settings,
    suggestion,
    tasklist,
    unit,
)
from models.base import Base
from models.sync import peers  # noqa: F401  (local sync bookkeeping tables)

metadata = Base.metadata
