"""Shows the recovery key once, large and selectable, with 打印 and a confirmation that it was kept."""
from __future__ import annotations

from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.i18n import tr


class RecoveryKeyDialog(QDialog):
    def __init__(self, parent: QWidget | None, recovery_key: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("恢复密钥"))
        self.recovery_key = recovery_key
        intro = QLabel(tr("这是恢复密钥，只显示这一次。请打印或抄写后密封保管。\n忘记密码时，凭它解锁并设置新密码。"))
        intro.setWordWrap(True)
        key = QLabel(recovery_key)
        key.setObjectName("recovery_key")
        font = QFont("monospace", 15)
        font.setBold(True)
        key.setFont(font)
        key.setTextInteractionFlags(key.textInteractionFlags() | key.textInteractionFlags().TextSelectableByMouse)
        self.kept = QCheckBox(tr("我已打印或抄写好恢复密钥"))
        print_button = QPushButton(tr("打印…"))
        print_button.clicked.connect(self.print_key)
        self.ok = QPushButton(tr("继续"))
        self.ok.setEnabled(False)
        self.kept.toggled.connect(self.ok.setEnabled)
        self.ok.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(key)
        layout.addWidget(self.kept)
        layout.addLayout(buttons)

    def reject(self) -> None:
        if self.kept.isChecked():  # the key must not vanish before the clerk confirmed keeping it
            super().reject()

    def print_key(self) -> None:
        printer = QPrinter()
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            document = QTextDocument()
            document.setPlainText(tr("府检联动 数据库恢复密钥\n\n{key}\n\n请密封保管。").format(key=self.recovery_key))
            document.print_(printer)


def show_recovery_key(parent: QWidget | None, recovery_key: str) -> None:
    RecoveryKeyDialog(parent, recovery_key).exec()
