"""File dialogs in one place (tests replace these functions). `start` is where the dialog opens (a
folder); without it, the home folder."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from models.fsutil import atomic_write_bytes


def _start(start: Path | None, name: str = "") -> str:
    folder = start if start is not None and start.is_dir() else Path.home()
    return str(folder / name) if name else str(folder)


def ask_save_path(parent: QWidget | None, title: str, suggested: str, name_filter: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, _start(None, suggested), name_filter)
    return Path(path) if path else None


def ask_open_path(parent: QWidget | None, title: str, name_filter: str, start: Path | None = None) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, _start(start), name_filter)
    return Path(path) if path else None


def save_bytes(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)


def ask_open_paths(parent: QWidget | None, title: str, name_filter: str) -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, _start(None), name_filter)
    return [Path(p) for p in paths]


def ask_folder(parent: QWidget | None, title: str, start: Path | None = None) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, title, _start(start))
    return Path(folder) if folder else None
