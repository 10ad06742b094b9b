"""Message boxes in one place (tests replace these functions instead of clicking modal boxes).
Every error reaches the clerk as one clear Chinese sentence, never as a traceback."""
from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from models.errors import DomainError
from ui.i18n import tr

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    message = getattr(exc, "message", None)  # sync PackageError and friends carry a Chinese message
    if isinstance(message, str) and message:
        return message
    if isinstance(exc, OSError):
        return tr("文件读写失败：{detail}").format(detail=exc.strerror or exc)
    log.exception("unexpected error", exc_info=exc)
    return tr("操作失败（{kind}）。详细信息已写入日志，请联系管理员。").format(kind=type(exc).__name__)


def show_error(parent: QWidget | None, exc: BaseException | str) -> None:
    text = exc if isinstance(exc, str) else error_text(exc)
    QMessageBox.warning(parent, tr("提示"), text)


def show_info(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, tr("提示"), text)


def notify(widget: QWidget, text: str) -> None:
    """A success note that does not block: the main window's status bar (10 s), else a message box."""
    window = widget.window()
    status_bar = getattr(window, "statusBar", None)
    if callable(status_bar):
        status_bar().showMessage(text, 10000)
    else:
        show_info(widget, text)


def status(widget: QWidget, text: str) -> None:
    """A passing note in the main window's status bar; nothing when there is none (never a box)."""
    status_bar = getattr(widget.window(), "statusBar", None)
    if callable(status_bar):
        status_bar().showMessage(text, 10000)


def confirm(parent: QWidget | None, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, tr("请确认"), text, parent=parent)
    yes = box.addButton(tr("确定"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("取消"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes


def ask_save_changes(parent: QWidget | None) -> str:
    """'save', 'discard' or 'cancel' for an edit that has not been saved."""
    box = QMessageBox(QMessageBox.Icon.Question, tr("尚未保存"), tr("当前记录有未保存的修改，是否保存？"),
                      parent=parent)
    save = box.addButton(tr("保存"), QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(tr("不保存"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(tr("取消"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    return "save" if clicked is save else "discard" if clicked is discard else "cancel"
