"""Screenshots of every screen, of the 检察建议 form in each stage with the dialog of each step, and of Qt's
own dialogs (file dialog, date picker, text-field menu, message box, print preview), under Xvfb (a real
xcb window) with LANG=zh_CN.UTF-8 and with LANG=C.UTF-8, for a person to look at:

    python scripts/screenshots.py --out shots        # shots/zh_CN/*.png and shots/C/*.png

`--check` walks the widget tree of every screen and dialog instead (offscreen is enough) and prints, as
JSON, each visible text with a Latin-letter word that is neither user data nor a name in ALLOWED_LATIN;
it exits 1 when there is one (tests/ui/test_no_english.py runs it under both locales).

The data is the demo (as of 2026-11-23) in a temporary folder; nothing outside it is touched."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOCALES = {"zh_CN": "zh_CN.UTF-8", "C": "C.UTF-8"}
TODAY = dt.date(2026, 11, 23)
PASSWORD = "Shots-2026-ok"
SIZE = (1400, 900)
# Latin words a clerk is meant to see: product and file-type names, key caps as printed on the keyboard
# (Ctrl+F, as WPS and Windows show shortcuts), and the name of the backup folder as it is on disk
ALLOWED_LATIN = frozenset({"Excel", "Word", "WPS", "PDF", "Windows", "xlsx", "docx", "pdf", "zip", "json",
                           "Ctrl", "Shift", "Alt", "Del", "Esc", "Tab", "Enter", "backups"})
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PATH = re.compile(r"^(/|[A-Za-z]:[\\/]|~)")   # a folder or file path is the clerk's own data


def english_words(text: str) -> set[str]:
    if PATH.match(text):
        return set()
    return set(LATIN_WORD.findall(text.replace("&", ""))) - ALLOWED_LATIN


# -- walking the widget tree ---------------------------------------------------------------------------
def visible_texts(root: object) -> list[tuple[str, str]]:
    """(where, text) of every text a clerk can read in `root` and its visible children: labels, buttons,
    titles, tabs, headers, placeholders, tooltips, menus, fixed choices and spin box affixes. User data
    is left out: what is typed in fields, the rows of tables, lists and trees, editable combo boxes."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QDateTimeEdit,
        QGroupBox,
        QLabel,
        QLineEdit,
        QMainWindow,
        QMenu,
        QPlainTextEdit,
        QSpinBox,
        QTableView,
        QTabWidget,
        QTextEdit,
        QTreeView,
        QWidget,
    )

    found: list[tuple[str, str]] = []
    widgets = [root, *root.findChildren(QWidget)]  # type: ignore[attr-defined]
    for widget in widgets:
        if not widget.isVisible():
            continue
        name = f"{type(widget).__name__}:{widget.objectName()}"

        def add(text: str, where: str = name) -> None:
            if text:
                found.append((where, text))

        add(widget.toolTip())
        if widget.isWindow():
            add(widget.windowTitle())
        if isinstance(widget, QLabel) and not widget.property("user_data"):
            add(widget.text())
        elif isinstance(widget, QAbstractButton):
            add(widget.text())
        elif isinstance(widget, QGroupBox):
            add(widget.title())
        elif isinstance(widget, QTabWidget):
            for n in range(widget.count()):
                add(widget.tabText(n))
        elif isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
            add(widget.placeholderText())
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            add(widget.currentText())
        elif isinstance(widget, QSpinBox):
            add(widget.prefix())
            add(widget.suffix())
            add(widget.specialValueText())
        elif isinstance(widget, QDateTimeEdit | QAbstractSpinBox):
            add(widget.specialValueText())
        elif isinstance(widget, QTableView | QTreeView) and widget.model() is not None:
            model = widget.model()
            header = widget.horizontalHeader() if isinstance(widget, QTableView) else widget.header()
            for column in range(model.columnCount(QModelIndex())):
                if not header.isSectionHidden(column) and not header.isHidden():
                    add(str(model.headerData(column, Qt.Orientation.Horizontal) or ""), name + ":header")
        elif isinstance(widget, QMenu):
            for action in widget.actions():
                add(action.text(), name + ":menu")
        if isinstance(widget, QMainWindow):
            for action in widget.menuBar().actions():
                add(action.text(), name + ":menubar")
                if action.menu() is not None:
                    for sub in action.menu().actions():
                        add(sub.text(), name + ":menubar")
    return found


def offenders(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, text) for where, text in texts if english_words(text)]


# -- the tour ----------------------------------------------------------------------------------------------
class Tour:
    """Shows each screen and dialog in turn; `shoot` saves a PNG (unless checking) and collects texts."""

    def __init__(self, out: Path | None) -> None:
        from PySide6.QtWidgets import QApplication

        self.out = out
        self.app = QApplication.instance()
        self.found: dict[str, list[tuple[str, str]]] = {}
        self.count = 0

    def settle(self) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        for _ in range(3):
            self.app.processEvents()
        loop = QEventLoop()
        QTimer.singleShot(120, loop.quit)
        loop.exec()
        self.app.processEvents()

    def shoot(self, name: str, widget: object, whole_screen: bool = False) -> None:
        from PySide6.QtCore import QRect

        self.settle()
        self.count += 1
        label = f"{self.count:02d}-{name}".replace("/", "、")
        self.found[label] = offenders(visible_texts(widget))
        if self.out is None:
            return
        if whole_screen:   # a popup over the window: the part of the screen the windows cover
            area = QRect()
            for top in self.app.topLevelWidgets():
                if top.isVisible():
                    area = area.united(top.frameGeometry())
            picture = self.app.primaryScreen().grabWindow(0, area.x(), area.y(), area.width(), area.height())
        else:
            picture = widget.grab()  # type: ignore[attr-defined]
        picture.save(str(self.out / f"{label}.png"))

    def modal(self, name: str, opens: Callable[[], object], whole_screen: bool = False,
              then: Callable[[object], None] | None = None) -> None:
        """Runs `opens` (which shows a modal dialog or popup), shoots what appears, then closes it."""
        import time

        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QDialog

        seen: list[object] = []
        given_up: list[bool] = []

        def look() -> None:
            if given_up:
                return
            widget = QApplication.activeModalWidget() or QApplication.activePopupWidget()
            if widget is None:
                QTimer.singleShot(50, look)
                return
            seen.append(widget)
            self.shoot(name, widget, whole_screen)
            if then is not None:
                then(widget)
            elif isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()

        QTimer.singleShot(50, look)
        opens()
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:   # a popup (the calendar) does not block
            self.app.processEvents()
            time.sleep(0.02)
        if not seen:
            given_up.append(True)
            raise RuntimeError(f"{name}: nothing opened")
        self.settle()


def build_database(folder: Path) -> object:
    from models.services.demo import load_demo
    from models.services.setup import initialize

    created = initialize(folder / "fjld.db", PASSWORD, office_name="宿州市人民检察院", office_code="宿检")
    with created.db.write_scope() as session:
        load_demo(session, TODAY)
    return created.db


def tour(out: Path | None) -> dict[str, list[tuple[str, str]]]:
    from PySide6.QtWidgets import QLineEdit

    from ui import files, messages
    from ui.app import make_application
    from ui.context import AppContext
    from ui.date_edit import DateEdit
    from ui.main_window import SCREENS, MainWindow

    make_application([])
    db = build_database(Path(os.environ["FJLD_DATA_DIR"]))
    shots = Tour(out)
    ctx = AppContext(db, lambda: TODAY)  # type: ignore[arg-type]
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    window.activateWindow()
    for key, label, _factory in SCREENS:
        screen = window.show_screen(key)
        while getattr(screen, "counting", lambda: False)():   # 首页's record counts come from a worker
            shots.app.processEvents()
        shots.shoot(f"{key}-{label}", window)
    suggestion_stages(shots, window, ctx)
    other_desk(shots, window, ctx)
    # Qt's own dialogs and popups, which come from Qt's translations
    page = window.show_screen("suggestion")
    page.new_record()  # type: ignore[attr-defined]
    shots.settle()
    date_edit = next(w for w in page.findChildren(DateEdit) if w.isVisible())
    shots.modal("日期选择", lambda: _open_calendar(date_edit), whole_screen=True)
    line = next(w for w in page.findChildren(QLineEdit) if w.isVisible() and not w.isReadOnly())
    shots.modal("文本框菜单", lambda: _context_menu(line), whole_screen=True)
    page.discard_changes() if hasattr(page, "discard_changes") else None
    shots.modal("文件对话框", lambda: files.ask_save_path(window, "导出Excel", "列表.xlsx", "Excel 工作簿 (*.xlsx)"))
    shots.modal("确认对话框", lambda: messages.confirm(window, "确定要删除这条记录吗？"))
    cases = window.show_screen("case")
    shots.modal("打印预览", cases.print_list)  # type: ignore[attr-defined]
    window.close()
    db.close()  # type: ignore[attr-defined]
    return shots.found


def _context_menu(line: object) -> None:
    from PySide6.QtCore import QPoint, Qt

    menu = line.createStandardContextMenu()  # type: ignore[attr-defined]
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    menu.exec(line.mapToGlobal(QPoint(10, 10)))  # type: ignore[attr-defined]


def _open_calendar(edit: object) -> None:
    """Clicks the drop-down arrow at the right end of a QDateEdit, as the clerk does."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(edit, Qt.MouseButton.LeftButton,  # type: ignore[call-overload]
                     pos=QPoint(edit.width() - 6, edit.height() // 2))  # type: ignore[attr-defined]


def suggestion_stages(shots: Tour, window: object, ctx: object) -> None:
    """A new 检察建议 on a demo case, taken through every stage; the form after each step and the dialog
    of the step that follows."""
    from models.services import suggestions

    with ctx.db.write_scope() as session:  # type: ignore[attr-defined]
        draft = suggestions.draft_suggestion(session, "宿州市水利局", items=["依法查处非法采砂行为。", "建立河道巡查机制。"])
        row_id = draft.id
    steps: list[tuple[str, str | None, Callable[[object], object] | None]] = [
        ("草稿", "issue", None),
        ("已制发", "serve", lambda s: suggestions.issue(s, row_id, "宿检行公建〔2026〕31号", dt.date(2026, 9, 1))),
        ("待回复", "reply", lambda s: suggestions.mark_served(s, row_id, dt.date(2026, 9, 25))),
        ("已回复", "rectify", lambda s: suggestions.record_reply(s, row_id, dt.date(2026, 11, 20), "已开展专项整治。",
                                                               reply_doc_no="宿水函〔2026〕8号")),
        ("整改跟进", "close", lambda s: suggestions.record_rectification(
            s, row_id, "整改中", "已拆除采砂船两艘。", follow_up="十二月回头看。", follow_up_due=dt.date(2026, 12, 20))),
        ("已结案", None, lambda s: suggestions.close_suggestion(s, row_id, dt.date(2026, 12, 30))),
    ]
    for stage, next_step, change in steps:
        if change is not None:
            with ctx.db.write_scope() as session:  # type: ignore[attr-defined]
                change(session)
            ctx.announce({"suggestion"})  # type: ignore[attr-defined]
        window.open_record("suggestion", row_id)  # type: ignore[attr-defined]
        page = window.show_screen("suggestion")  # type: ignore[attr-defined]
        shots.shoot(f"检察建议-{stage}", window)
        shots.shoot(f"检察建议-{stage}-整页", page.heading.parentWidget())
        if next_step is not None:
            shots.modal(f"检察建议-{stage}-下一步对话框",
                        lambda step=next_step, actions=page.actions: actions.run(step))


def other_desk(shots: Tour, window: object, ctx: object) -> None:
    """Another desk (a second handle on the same file) changes the unit open in the form while the clerk
    types: the banner after the watcher's next poll, then the side-by-side dialog of the refused save."""
    import time

    from models.services.units import edit_unit, list_units
    from models.storage import open_database

    db = ctx.db  # type: ignore[attr-defined]
    page = window.show_screen("unit")  # type: ignore[attr-defined]
    unit = next(u for u in ctx.read(list_units) if u.liaison_name)  # type: ignore[attr-defined]
    page.open_record(unit.id)  # type: ignore[attr-defined]
    editor = page.form.editors["liaison_name"]  # type: ignore[attr-defined]
    editor.setText("张晓明")
    editor.textEdited.emit("张晓明")
    other = open_database(db.path, db.dek, user="李四")
    try:
        with other.write_scope() as session:
            edit_unit(session, unit.id, liaison_name="王建国", liaison_phone="0557-3021234")
    finally:
        other.close()
    watcher = window.watcher  # type: ignore[attr-defined]
    answered = watcher.polls
    watcher.poll()
    deadline = time.monotonic() + 10
    while watcher.polls == answered and time.monotonic() < deadline:
        shots.app.processEvents()
        time.sleep(0.02)
    shots.shoot("单位-他人已修改提示", window)
    shots.modal("单位-保存冲突对话框", page.save)  # type: ignore[attr-defined]
    page.reload_current()  # type: ignore[attr-defined]


# -- running under Xvfb and both locales ---------------------------------------------------------------
def run_inner(args: argparse.Namespace) -> int:
    os.environ["FJLD_DATA_DIR"] = tempfile.mkdtemp(prefix="fjld-shots-")
    try:
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
        found = tour(args.out)
    finally:
        shutil.rmtree(os.environ["FJLD_DATA_DIR"], ignore_errors=True)
    bad = {name: texts for name, texts in found.items() if texts}
    print(json.dumps({"shots": list(found), "english": bad}, ensure_ascii=False))
    return 1 if bad else 0


def run_locale(locale: str, out: Path | None) -> tuple[int, str]:
    env = dict(os.environ, LANG=LOCALES[locale], LC_ALL=LOCALES[locale], LANGUAGE="")
    command = [sys.executable, str(Path(__file__).resolve()), "--inner"]
    if out is not None:
        command += ["--out", str(out / locale)]
        env["QT_QPA_PLATFORM"] = "xcb"
        if not env.get("DISPLAY"):
            command = ["xvfb-run", "-a", "-s", f"-screen 0 {SIZE[0] + 200}x{SIZE[1] + 100}x24", *command]
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for the PNGs (one subfolder per locale)")
    parser.add_argument("--check", action="store_true", help="only list English texts (no PNGs, offscreen)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--locale", choices=sorted(LOCALES), action="append")
    args = parser.parse_args()
    if args.inner:
        return run_inner(args)
    if args.out is None and not args.check:
        parser.error("--out FOLDER or --check")
    worst = 0
    for locale in args.locale or list(LOCALES):
        code, report = run_locale(locale, None if args.check else args.out)
        print(f"{locale}: {report}")
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    sys.exit(main())
