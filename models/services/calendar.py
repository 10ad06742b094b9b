"""Installing an office's holiday file: validated, copied into the data folder, and every derived
deadline recomputed so the dashboard and documents follow the new calendar at once."""
from __future__ import annotations

from pathlib import Path

from models.audit import append_audit
from models.derived import default_calendar, office_holiday_path, recompute_all
from models.fsutil import atomic_write_bytes
from models.rules.holidays import HolidayCalendar
from models.storage import Database


def install_holiday_file(db: Database, path: Path) -> HolidayCalendar:
    HolidayCalendar.from_file(path)  # raises a Chinese DomainError naming the problem
    atomic_write_bytes(office_holiday_path(), Path(path).read_bytes())
    default_calendar.cache_clear()
    with db.session_scope() as session:
        count = recompute_all(session)
        append_audit(session, "holiday_calendar_installed", object_ref=Path(path).name,
                     detail={"recomputed": count})
    return default_calendar()
