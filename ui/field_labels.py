"""Chinese names of record fields for the screens: the one table lives in models/labels.py."""
from __future__ import annotations

from models.labels import field_label

__all__ = ["field_label"]
