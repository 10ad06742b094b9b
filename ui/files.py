"""File dialogs in one place (tests replace these functions). `start` is where the dialog opens (a
folder); without it, the home folder."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QSplitter, QWidget

from models.fsutil import atomic_write_bytes


def _start(start: Path | None, name: str = "") -> str:
    folder = start if start is not None and start.is_dir() else Path.home()
    return str(folder / name) if name else str(folder)


def _ask(parent: QWidget | None, title: str, start: str, name_filter: str, mode: QFileDialog.FileMode,
         save: bool = False) -> list[str]:
    """The file dialog (the system's own where there is one, as QFileDialog.getOpenFileName shows it).
    Qt's own dialog gets a places column wide enough for "计算机" and the home folder's name."""
    dialog = QFileDialog(parent, title, start, name_filter)
    dialog.setFileMode(mode)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(Path(start).name)
    splitter = dialog.findChild(QSplitter, "splitter")
    if splitter is not None:
        width = dialog.fontMetrics().horizontalAdvance("汉") * PLACES_COLUMN_CHARS
        splitter.setSizes([width, max(splitter.width() - width, width * 3)])
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return []
    return dialog.selectedFiles()


PLACES_COLUMN_CHARS = 8


def ask_save_path(parent: QWidget | None, title: str, suggested: str, name_filter: str) -> Path | None:
    paths = _ask(parent, title, _start(None, suggested), name_filter, QFileDialog.FileMode.AnyFile, save=True)
    return Path(paths[0]) if paths else None


def ask_open_path(parent: QWidget | None, title: str, name_filter: str, start: Path | None = None) -> Path | None:
    paths = _ask(parent, title, _start(start), name_filter, QFileDialog.FileMode.ExistingFile)
    return Path(paths[0]) if paths else None


def save_bytes(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)


def ask_open_paths(parent: QWidget | None, title: str, name_filter: str) -> list[Path]:
    return [Path(p) for p in _ask(parent, title, _start(None), name_filter, QFileDialog.FileMode.ExistingFiles)]


def ask_folder(parent: QWidget | None, title: str, start: Path | None = None) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, title, _start(start))
    return Path(folder) if folder else None
