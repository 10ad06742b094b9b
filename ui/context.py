"""What every screen gets: the unlocked database and the date it treats as today."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.storage import Database
from ui import messages


@dataclass
class AppContext:
    db: Database
    today: Callable[[], dt.date] = field(default=dt.date.today)

    def attempt(self, parent: QWidget, action: Callable[[Session], object]) -> bool:
        """Runs one core use case in its own transaction; a rule it breaks is shown to the clerk in
        Chinese and nothing is saved. Returns whether it succeeded."""
        try:
            with self.db.session_scope() as session:
                action(session)
        except DomainError as exc:
            messages.show_error(parent, exc)
            return False
        return True
