"""Imports every table module so `Base.metadata` is complete (migrations, tests, create_all)."""
from __future__ import annotations

from models import attachment, audit, case, meeting, merge, oplog, settings, suggestion, tasklist, unit  # noqa: F401
from models.accounts import Account  # noqa: F401  (the account table)
from models.base import Base
from models.sync import peers  # noqa: F401  (local sync bookkeeping tables)

metadata = Base.metadata
