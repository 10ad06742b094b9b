"""任务清单 edits by hand on the 任务清单 screen: a new list for a year, 方面/任务/措施 added, edited, moved
and deleted, 进展 entries added, corrected, deleted and their 修改记录. Each asks for its values in a small
dialog, runs one service in one write transaction (models/services/task_editing.py) and reloads."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from models.errors import DomainError
from models.services import task_editing as te
from models.services.tasks import add_progress
from models.tasklist import PROGRESS_STATUSES, ProgressEntry
from ui import messages
from ui.form import EditGuard, FieldSpec
from ui.history_dialog import HistoryDialog, history_rows
from ui.i18n import tr
from ui.values_dialog import ask_values

if TYPE_CHECKING:
    from ui.tasklist_page import TaskListPage

Session = Any  # a write-scope session handed to the service; ui/ does not import sqlalchemy

BLANK = tr("空白清单")
MEASURE_SPECS = (FieldSpec("text", tr("具体措施"), "multiline"), FieldSpec("deadline_phrase", tr("完成时限"),
                 placeholder=tr("如：12月底前、长期坚持、每季度末")), FieldSpec("units_text", tr("责任单位")))
ENTRY_SPECS = (FieldSpec("status", tr("状态"), "choice", PROGRESS_STATUSES),
               FieldSpec("reported_on", tr("填报日期"), "date"), FieldSpec("reporter", tr("填报单位")),
               FieldSpec("text", tr("进展情况"), "multiline"))
FIELD_OF_CODE = {"node_empty": "text", "progress_status": "status", "bad_year": "year"}


def _ask(page: TaskListPage, title: str, specs: tuple[FieldSpec, ...], initial: dict[str, object],
         save: Callable[[Session, dict[str, object]], object]) -> object | None:
    holder: dict[str, object] = {}

    def check(values: dict[str, object]) -> None:
        with page.ctx.db.write_scope() as session:
            holder["result"] = save(session, values)

    if ask_values(page, title, specs, initial, check=check, error_fields=FIELD_OF_CODE) is None:
        return None
    return holder.get("result")


def _ask_guarded(page: TaskListPage, title: str, specs: tuple[FieldSpec, ...], guard: EditGuard, row_id: uuid.UUID,
                 read: Callable[[Session], dict[str, object]],
                 save: Callable[[Session, dict[str, object], dict[str, tuple[str, ...]] | None], object]) -> object | None:
    """An edit dialog of one record that refuses to overwrite another desk's newer edit: the values shown
    and their field heads are read in one snapshot; a conflict on 确定 is shown side by side (覆盖 or not)."""
    def load(session: Session) -> dict[str, object]:
        guard.load(session, row_id)
        return read(session)

    try:
        initial = page.ctx.read(load)
    except DomainError as exc:   # deleted meanwhile by another desk
        messages.show_error(page, exc)
        page.after_write()
        return None
    holder: dict[str, object] = {}

    def write(values: dict[str, object], base: dict[str, tuple[str, ...]] | None) -> object:
        with page.ctx.db.write_scope() as session:
            return save(session, values, base)

    def check(values: dict[str, object]) -> None:
        holder["result"] = guard.save_in_dialog(page, page.ctx.db.read_scope, lambda base: write(values, base))

    if ask_values(page, title, specs, initial, check=check, error_fields=FIELD_OF_CODE) is None:
        return None
    return holder.get("result")


def _run(page: TaskListPage, action: Callable[[Session], object]) -> bool:
    return page.ctx.attempt(page, action)


# -- lists -----------------------------------------------------------------------------------------
def new_list(page: TaskListPage) -> None:
    years = sorted(page._years.items(), key=lambda item: -item[1])  # newest first
    sources = {tr("复制{year}年度清单（延续长期坚持、定期报送和未完成的措施）").format(year=year): list_id
               for list_id, year in years}
    specs = (FieldSpec("year", tr("年度")), FieldSpec("title", tr("清单名称"), placeholder=tr("留空则按年度自动命名")),
             FieldSpec("source", tr("内容"), "choice", (*sources, BLANK)))
    next_year = (years[0][1] + 1) if years else page.ctx.today().year

    def save(session: Session, values: dict[str, object]) -> te.NewList:
        text = str(values["year"]).strip()
        if not text.isdigit():
            raise DomainError("bad_year", tr("年度应为四位数字，例如 2023"), field="year")
        return te.new_task_list(session, int(text), str(values["title"]), sources.get(str(values["source"])))

    created = _ask(page, tr("新建任务清单"), specs, {"year": str(next_year), "source": next(iter(sources), BLANK)},
                   save)
    if not isinstance(created, te.NewList):
        return
    page.reload()
    page.select_list(created.id)
    page.data_changed.emit()
    if created.measures:
        page.show_note(tr("已生成{year}年度清单：延续 {a} 个方面、{t} 项任务、{m} 条措施").format(
            year=created.year, a=created.aspects, t=created.tasks, m=created.measures))


# -- 方面 / 任务 / 措施 ----------------------------------------------------------------------------
def _context(page: TaskListPage) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The 方面 and 任务 the current node belongs to."""
    node = page.current_node()
    tree = page.tree_data
    if node is None or tree is None:
        return None, None
    for aspect in tree.aspects:
        if aspect.id == node[1]:
            return aspect.id, None
        for task in aspect.tasks:
            if task.id == node[1] or any(m.id == node[1] for m in task.measures):
                return aspect.id, task.id
    return None, None


def add_aspect(page: TaskListPage) -> None:
    list_id = page.list_combo.currentData()
    if list_id is None:
        return
    created = _ask(page, tr("新增方面"), (FieldSpec("text", tr("方面名称"), placeholder=tr("如：重大风险防控方面")),),
                   {}, lambda s, v: te.create_aspect(s, list_id, str(v["text"])).id)
    if created is not None:
        page.after_write(created)  # type: ignore[arg-type]


def add_task(page: TaskListPage) -> None:
    aspect_id, _task_id = _context(page)
    if aspect_id is None:
        return
    created = _ask(page, tr("新增任务"), (FieldSpec("text", tr("任务内容"), "multiline"),), {},
                   lambda s, v: te.create_task(s, aspect_id, str(v["text"])).id)
    if created is not None:
        page.after_write(created)  # type: ignore[arg-type]


def add_measure(page: TaskListPage) -> None:
    _aspect_id, task_id = _context(page)
    if task_id is None:
        return
    created = _ask(page, tr("新增措施"), MEASURE_SPECS, {},
                   lambda s, v: te.create_measure(s, task_id, str(v["text"]), deadline=str(v["deadline_phrase"]),
                                                  units=str(v["units_text"])).id)
    if created is not None:
        page.after_write(created)  # type: ignore[arg-type]


def edit_current(page: TaskListPage) -> None:
    node = page.current_node()
    if node is None:
        return
    kind, node_id = node
    if kind == "aspect":
        specs: tuple[FieldSpec, ...] = (FieldSpec("title", tr("方面名称")),)
    elif kind == "task":
        specs = (FieldSpec("text", tr("任务内容"), "multiline"),)
    else:
        specs = MEASURE_SPECS
    title = {"aspect": tr("修改方面"), "task": tr("修改任务"), "measure": tr("修改措施")}[kind]
    guard = EditGuard(te.NODE_CLASSES[kind], [spec.name for spec in specs])
    if _ask_guarded(page, title, specs, guard, node_id, lambda s: te.node_values(s, kind, node_id),
                    lambda s, v, base: te.edit_node(s, kind, node_id, base=base, **{k: str(x) for k, x in v.items()})
                    or True) is not None:
        page.after_write(node_id)


def move_current(page: TaskListPage, step: int) -> None:
    node = page.current_node()
    if node is not None and _run(page, lambda session: te.move_node(session, node[0], node[1], step)):
        page.after_write(node[1])


def delete_current(page: TaskListPage) -> None:
    node = page.current_node()
    if node is None:
        return
    kind, node_id = node
    with page.ctx.db.read_scope() as session:
        tasks, measures = te.subtree_size(session, kind, node_id)
    label = page.model.itemFromIndex(page.tree.currentIndex().siblingAtColumn(0)).text()
    inside = {"aspect": tr("（含 {t} 项任务、{m} 条措施）").format(t=tasks, m=measures),
              "task": tr("（含 {m} 条措施）").format(m=measures), "measure": ""}[kind]
    what = {"aspect": tr("方面"), "task": tr("任务"), "measure": tr("措施")}[kind]
    if not messages.confirm(page, tr("删除{what}“{label}”{inside}吗？删除后可在“设置 → 回收站”中恢复。").format(
            what=what, label=label[:40], inside=inside)):
        return
    if _run(page, lambda session: te.delete_node(session, kind, node_id)):
        page.after_write()


# -- 进展 entries ----------------------------------------------------------------------------------
def add_entry(page: TaskListPage) -> None:
    measure_id = page.current_measure
    if measure_id is None:
        return

    def save(session: Session, values: dict[str, object]) -> object:
        return add_progress(session, measure_id, status=str(values["status"]), text=str(values["text"]),
                            reported_on=values["reported_on"] or page.ctx.today(),  # type: ignore[arg-type]
                            reporter=str(values["reporter"])).id

    if _ask(page, tr("新增进展"), ENTRY_SPECS, {"status": "推进中", "reported_on": page.ctx.today()}, save) is not None:
        page.after_write(measure_id)


def correct_entry(page: TaskListPage) -> None:
    entry, measure_id = page.current_entry(), page.current_measure
    if entry is None or measure_id is None:
        return

    def save(session: Session, values: dict[str, object], base: dict[str, tuple[str, ...]] | None) -> bool:
        reported_on = values["reported_on"]
        te.correct_progress(session, entry.id, status=str(values["status"]), text=str(values["text"]),
                            reported_on=reported_on if isinstance(reported_on, dt.date) else None,  # type: ignore[arg-type]
                            reporter=str(values["reporter"]), base=base)
        return True

    guard = EditGuard(ProgressEntry, te.PROGRESS_FIELDS)
    if _ask_guarded(page, tr("修改进展"), ENTRY_SPECS, guard, entry.id,
                    lambda s: te.progress_values(s, entry.id), save) is not None:
        page.after_write(measure_id)
        page.select_entry(entry.id)


def delete_entry(page: TaskListPage) -> None:
    entry, measure_id = page.current_entry(), page.current_measure
    if entry is None or measure_id is None:
        return
    if not messages.confirm(page, tr("删除这条进展吗？删除后可在“设置 → 回收站”中恢复。\n{line}").format(
            line=page.entry_line(entry)[:80])):
        return
    if _run(page, lambda session: te.delete_progress(session, entry.id)):
        page.after_write(measure_id)


def entry_history(page: TaskListPage) -> None:
    entry = page.current_entry()
    if entry is None:
        return
    with page.ctx.db.read_scope() as session:
        changes, sites = te.progress_history(session, entry.id)
    HistoryDialog(page.entry_line(entry)[:40], history_rows("progress_entry", changes, sites), page).exec()

