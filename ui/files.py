"""File dialogs in one place (tests replace these two functions)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from models.fsutil import atomic_write_bytes


def ask_save_path(parent: QWidget | None, title: str, suggested: str, name_filter: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), name_filter)
    return Path(path) if path else None


def ask_open_path(parent: QWidget | None, title: str, name_filter: str) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), name_filter)
    return Path(path) if path else None


def save_bytes(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)


def ask_open_paths(parent: QWidget | None, title: str, name_filter: str) -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(Path.home()), name_filter)
    return [Path(p) for p in paths]


def ask_folder(parent: QWidget | None, title: str) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, title, str(Path.home()))
    return Path(folder) if folder else None
