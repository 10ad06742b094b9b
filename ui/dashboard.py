"""首页: overdue and near-due items in 红黄绿 (the one warning rule), count tiles that filter that list,
counts of cases by status and suggestions by stage (counted by the database), and a quick search.
A double-click opens the exact record: `open_record(entity, id)` — the suggestion (also for its 回头看
row) or the measure, which the 任务清单 screen selects and scrolls to."""
from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.case import CASE_STATUSES
from models.search import SearchHit, search_grouped, search_kind
from models.services.common import LABELS
from models.services.dashboard import (
    FIRST_PAGE,
    SUGGESTION_STAGES,
    DashboardData,
    dashboard_data,
    record_counts,
)
from models.services.due import DueItem, UnclearDeadline, due_page
from ui import list_print
from ui.context import AppContext
from ui.i18n import tr
from ui.row_model import Colors, Column, PagedRowModel, Rows
from ui.theme import FONT_EVENTS, LEVEL_COLORS, points
from ui.workers import run_query

SIZE_ROWS = 20
HIT_ROLE = Qt.ItemDataRole.UserRole + 2
MORE_ROLE = Qt.ItemDataRole.UserRole + 3   # (kind, next offset, total) on a "显示更多" line
PAGE = 20
LEVEL_COLUMN, KIND_COLUMN = 0, 5   # (columns 0-3 keep the order other screens' tests read)
# tile key (a level, a kind of models.services.due, "unclear", or "all") -> label; the database filters
TILES: tuple[tuple[str, str], ...] = (
    ("all", tr("全部")), ("red", tr("逾期")), ("yellow", tr("临期")), ("reply", tr("待回复")),
    ("follow_up", tr("回头看")), ("measure", tr("任务措施")),
    ("unclear", tr("时限待确认")),   # phrases the parser cannot read
)
UNCLEAR = tr("时限待确认")


def tile_query(tile: str) -> str | None:
    """The `only` of models.services.due.due_page for a tile ("all": None)."""
    return None if tile in ("all", "unclear") else tile


TILE_STYLE = ("QPushButton {{ font-size: {size}pt; padding: 6px 14px; border: 1px solid #b8c4d0; border-radius: 6px; }}"
              "QPushButton:checked {{ background: #dbe8f6; border: 2px solid #3a6ea5; font-weight: bold; }}")
# points above the window font (the 字号 setting): tiles, the title of the due list, the counts
TILE_PT, TITLE_PT, COUNT_PT = 1, 3, 6


class Dashboard(QWidget):
    open_record = Signal(str, object)      # entity name ("suggestion", "measure", "case" …), row id
    open_requested = Signal(str, object)   # the same, under the name the main window connects today
    record_counts_shown = Signal()         # the boxes of cases by status and suggestions by stage are filled

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.open_record.connect(self.open_requested)
        self.data: DashboardData | None = None
        self.searched = ""   # the query the hits list shows (its "显示更多" pages ask for more of it)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(tr("快速搜索：案件、检察建议、任务、单位、会议（回车）"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.run_search)
        self.hits = QListWidget()
        self.hits.setMaximumHeight(150)
        self.hits.hide()
        self.hits.itemActivated.connect(self._open_hit)
        self.due_title = QLabel()
        self.tiles: dict[str, QPushButton] = {}
        self.tile_group = QButtonGroup(self)
        self.tile_group.setExclusive(True)
        tiles = QHBoxLayout()
        for key, _label in TILES:
            button = QPushButton()
            button.setObjectName(f"tile_{key}")
            button.setCheckable(True)
            button.setToolTip(tr("点击只看这一类；再点“全部”恢复"))
            button.clicked.connect(lambda _checked=False, k=key: self.filter_by(k))
            self.tile_group.addButton(button)
            self.tiles[key] = button
            tiles.addWidget(button)
        tiles.addStretch(1)
        self.tiles["all"].setChecked(True)
        self.active_tile = "all"
        self.due_model = PagedRowModel((Column(tr("预警"), filterable=True), Column(tr("到期日")),
                                        Column(tr("剩余天数")), Column(tr("事项"), pinyin=True),
                                        Column(tr("责任单位"), pinyin=True), Column(tr("类型"), filterable=True)), self)
        self.due_table = QTableView()
        self.due_table.setModel(self.due_model)
        self.due_table.verticalHeader().hide()
        self.due_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.due_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.due_table.doubleClicked.connect(self.open_due)
        self.due_table.setToolTip(tr("双击打开该记录"))
        # Column widths from the first rows, not from every row read so far (as fast with 5 000 rows as with 5).
        self.due_table.horizontalHeader().setResizeContentsPrecision(SIZE_ROWS)
        self.case_counts = QGridLayout()
        self.stage_counts = QGridLayout()
        counts = QHBoxLayout()
        for title, grid in ((tr("案件（按办理状态）"), self.case_counts), (tr("检察建议（按阶段）"), self.stage_counts)):
            box = QGroupBox(title)
            box.setLayout(grid)
            counts.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.hits)
        layout.addWidget(self.due_title)
        layout.addLayout(tiles)
        layout.addWidget(self.due_table, 1)
        list_buttons = QHBoxLayout()
        list_buttons.addStretch(1)
        for text, slot in ((tr("导出Excel…"), self.export_due), (tr("打印列表…"), self.print_due)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            list_buttons.addWidget(button)
        layout.addLayout(list_buttons)
        layout.addLayout(counts)
        self.count_labels: dict[str, QLabel] = {}
        self._counting = self._shown_count = 0
        self._apply_sizes()
        self._fill(self.case_counts, CASE_STATUSES, None)      # "…" until the first count arrives
        self._fill(self.stage_counts, SUGGESTION_STAGES, None)
        self.targets: dict[uuid.UUID, tuple[str, uuid.UUID]] = {}
        self.refresh()

    def _apply_sizes(self) -> None:
        self.due_title.setStyleSheet(f"font-size: {points(TITLE_PT)}pt; font-weight: bold;")
        for button in self.tiles.values():
            button.setStyleSheet(TILE_STYLE.format(size=points(TILE_PT)))
        for number in self.count_labels.values():
            number.setStyleSheet(f"font-size: {points(COUNT_PT)}pt; font-weight: bold;")

    def event(self, event: QEvent) -> bool:
        if event.type() in FONT_EVENTS:   # 设置 → 字号 changed
            self._apply_sizes()
        return super().event(event)

    def refresh(self) -> None:
        """One read of everything 首页 shows: exact counts (SQL GROUP BY) and the first page of the due
        list of the chosen tile; the list reads its next pages as it is scrolled."""
        tile = self.active_tile
        with self.ctx.db.read_scope() as session:
            data = self.data = dashboard_data(session, self.ctx.today(), only=tile_query(tile),
                                              with_record_counts=False)
        self.due_title.setText(tr("逾期 {red} 项，临期 {near} 项（{today}，临期提醒 {days} 天）").format(
            red=data.due_counts["red"], near=data.due_counts["yellow"], today=data.today.isoformat(),
            days=data.near_days))
        for key, label in TILES:
            count = {"all": data.due_total + len(data.unclear), "unclear": len(data.unclear)}.get(
                key, data.due_counts[key])
            self.tiles[key].setText(f"{label}  {count}")
        self._show_due(tile, data.due)
        self.due_table.resizeColumnsToContents()
        self.due_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.count_records()

    def count_records(self) -> None:
        """Cases by status and suggestions by stage read every row, so a pool thread counts them in its
        own snapshot and the boxes fill when it is done: the window never waits for 100 000 cases. It
        starts once the due list is painted (the count's thread would otherwise share the interpreter with
        that painting); `counting()` is true from this call on."""
        self._counting += 1
        QTimer.singleShot(0, self, lambda generation=self._counting: self._start_count(generation))

    def _start_count(self, generation: int) -> None:
        if generation != self._counting:
            return   # a newer refresh asked again before this one started: only that one counts
        db = self.ctx.db

        def job(_progress: object, _cancelled: object) -> tuple[int, dict[str, int], dict[str, int]]:
            with db.read_scope() as session:
                return (generation, *record_counts(session))

        run_query(job, self._show_record_counts)   # type: ignore[arg-type]

    def counting(self) -> bool:
        """Whether the record counts shown may still change (a count is running)."""
        return self._shown_count != self._counting

    def _show_record_counts(self, result: tuple[int, dict[str, int], dict[str, int]]) -> None:
        generation, cases, stages = result
        if generation < self._shown_count:
            return            # an older count arriving after a newer one
        self._shown_count = generation
        self._fill(self.case_counts, CASE_STATUSES, cases)
        self._fill(self.stage_counts, SUGGESTION_STAGES, stages)
        self.record_counts_shown.emit()

    def filter_by(self, tile: str) -> None:
        """Show only the due rows of one tile (逾期, 临期, 待回复, 回头看, 任务措施, 时限待确认) or all of
        them: the database reads that tile's first page (the counts do not change)."""
        self.active_tile = tile
        self.tiles[tile].setChecked(True)
        if self.data is None:
            return
        data = self.data
        first = [] if tile == "unclear" else self.ctx.read(
            lambda session: due_page(session, data.today, data.near_days, only=tile_query(tile), limit=FIRST_PAGE))
        self._show_due(tile, first)

    def _show_due(self, tile: str, first: list[DueItem]) -> None:
        """The first page of `tile`'s due rows; the next pages are read after the last row shown (in
        the order of models.services.due.due_sort_key), then the 时限待确认 rows close the list."""
        assert self.data is not None
        data = self.data
        self.targets = {}
        unclear = data.unclear if tile in ("all", "unclear") else []
        if tile == "unclear":
            self.due_model.set_pages(self._unclear_rows(unclear), {}, None)
            return
        last_item = first[-1] if first else None

        def more(limit: int | None) -> tuple[Rows, Colors, bool]:
            nonlocal last_item
            items = self.ctx.read(lambda session: due_page(session, data.today, data.near_days, only=tile_query(tile),
                                                           after=last_item, limit=limit))
            last_item = items[-1] if items else last_item
            rows, colors = self._due_rows(items)
            done = limit is None or len(items) < limit
            return (rows + self._unclear_rows(unclear) if done else rows), colors, done

        rows, colors = self._due_rows(first)
        if len(first) < FIRST_PAGE:    # the whole list is here
            self.due_model.set_pages(rows + self._unclear_rows(unclear), colors, None)
        else:
            self.due_model.set_pages(rows, colors, more)

    def _due_rows(self, items: list[DueItem]) -> tuple[Rows, Colors]:
        rows, colors = [], {}
        for item in items:
            # one row per (kind, record): a suggestion may be awaiting its reply and its 回头看 at once
            key = uuid.uuid5(item.ref_id, item.kind)
            self.targets[key] = item.target
            left = (tr("逾期{n}天").format(n=-item.days_left) if item.days_left < 0
                    else tr("剩{n}天").format(n=item.days_left))
            rows.append((key, (item.level.label, item.due, left, item.title, item.party, item.kind_label)))
            color = LEVEL_COLORS.get(item.level)
            if color is not None:
                colors[key] = color
        return rows, colors

    def _unclear_rows(self, unclear: list[UnclearDeadline]) -> Rows:
        rows: Rows = []
        for entry in unclear:   # no date to colour by: listed so that nobody forgets to settle it
            key = uuid.uuid5(entry.ref_id, "unclear")
            self.targets[key] = ("measure", entry.ref_id)
            rows.append((key, (UNCLEAR, None, entry.phrase, entry.title, entry.party, UNCLEAR)))
        return rows

    def _fill(self, grid: QGridLayout, keys: tuple[str, ...], counts: dict[str, int] | None) -> None:
        for n, key in enumerate(keys):
            number = self.count_labels.get(key)
            if number is None:
                number = self.count_labels[key] = QLabel()
                number.setObjectName(f"count_{key}")
                number.setStyleSheet(f"font-size: {points(COUNT_PT)}pt; font-weight: bold;")
                number.setAlignment(Qt.AlignmentFlag.AlignCenter)
                label = QLabel(key)
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(number, 0, n)
                grid.addWidget(label, 1, n)
            number.setText("…" if counts is None else str(counts.get(key, 0)))

    def run_search(self) -> None:
        """Hits grouped by the kind of text that matched, each with its full count; a group with more
        than a page ends in a "显示更多" line (nothing is cut off without saying so)."""
        text = self.search_edit.text()
        self.searched = text
        groups = self.ctx.read(lambda session: search_grouped(session, text, per_kind=PAGE))
        self.hits.clear()
        for group in groups:
            kind = LABELS.get(group.matched, group.matched)
            heading = QListWidgetItem(tr("{kind}（{n} 条）").format(kind=kind, n=group.total))
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)   # a heading: readable, not selectable
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            self.hits.addItem(heading)
            self._add_hits(self.hits.count(), group.hits)
            if group.total > len(group.hits):
                self._add_more(self.hits.count(), group.matched, len(group.hits), group.total)
        if not groups:
            self.hits.addItem(tr("没有找到“{text}”").format(text=text))
        self.hits.setVisible(bool(text.strip()))

    def _add_hits(self, row: int, hits: tuple[SearchHit, ...] | list[SearchHit]) -> None:
        for offset, hit in enumerate(hits):
            kind = LABELS.get(hit.entity, hit.entity)
            item = QListWidgetItem(f"    【{kind}】{hit.title}")
            item.setData(HIT_ROLE, (hit.entity, hit.row_id))
            self.hits.insertItem(row + offset, item)

    def _add_more(self, row: int, matched: str, shown: int, total: int) -> None:
        item = QListWidgetItem(tr("    显示更多（还有 {n} 条）…").format(n=total - shown))
        item.setData(MORE_ROLE, (matched, shown, total))
        self.hits.insertItem(row, item)

    def _open_hit(self, item: QListWidgetItem) -> None:
        more = item.data(MORE_ROLE)
        if more:
            matched, shown, total = more
            row = self.hits.row(item)
            page = self.ctx.read(lambda session: search_kind(session, self.searched, matched, offset=shown,
                                                             limit=PAGE))
            self.hits.takeItem(row)
            self._add_hits(row, page)
            if shown + len(page) < total and page:
                self._add_more(row + len(page), matched, shown + len(page), total)
            return
        target = item.data(HIT_ROLE)
        if target:
            self.open_record.emit(target[0], target[1])

    def export_due(self) -> None:
        list_print.export_model(self, self.ctx, tr("逾期和临期事项"), self.due_model)

    def print_due(self) -> None:
        list_print.print_model(self, self.ctx, tr("逾期和临期事项"), self.due_model)

    def open_due(self, index: QModelIndex) -> None:
        entity, row_id = self.targets[self.due_model.row_id(index.row())]
        self.open_record.emit(entity, row_id)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()
