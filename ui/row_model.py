"""A table model over plain row tuples: lazy loading (fetchMore), sorting with 拼音 order for Chinese
names, a quick filter that finds substrings in any column and per-column value filters.

Filtering and sorting work on precomputed plain strings in the model itself (not a proxy), so one
keystroke over 100 000 rows costs one list comprehension, and only the first batch is shown."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

AnyIndex = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    title: str
    pinyin: bool = False      # sort by 拼音 (names, titles)
    filterable: bool = False  # offers a value filter (status, kind...)


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> str:
    # Non-Chinese characters come back unchanged, so 案号 digits and Latin letters still sort.
    return " ".join(lazy_pinyin(text, style=Style.TONE3, errors="default")).lower()


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class RowTableModel(QAbstractTableModel):
    BATCH = 200

    def __init__(self, columns: Sequence[Column], parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.columns = list(columns)
        self._ids: list[uuid.UUID] = []
        self._texts: list[tuple[str, ...]] = []
        self._haystack: list[str] = []
        self._colors: dict[int, QColor] = {}
        self._visible: list[int] = []   # indexes into _texts, filtered and sorted
        self._loaded = 0
        self._needle = ""
        self._value_filters: dict[int, str] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- data in ---------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[tuple[uuid.UUID, Sequence[object]]],
                 colors: dict[uuid.UUID, QColor] | None = None) -> None:
        self.beginResetModel()
        self._ids = [row_id for row_id, _ in rows]
        self._texts = [tuple(cell_text(v) for v in values) for _, values in rows]
        self._haystack = ["\t".join(t).lower() for t in self._texts]
        colors = colors or {}
        self._colors = {i: colors[row_id] for i, row_id in enumerate(self._ids) if row_id in colors}
        self._recompute()
        self.endResetModel()

    def set_quick_filter(self, text: str) -> None:
        self._needle = text.strip().lower()
        self._refresh()

    def set_value_filter(self, column: int, value: str) -> None:
        if value:
            self._value_filters[column] = value
        else:
            self._value_filters.pop(column, None)
        self._refresh()

    def distinct_values(self, column: int) -> list[str]:
        return sorted({t[column] for t in self._texts if t[column]}, key=pinyin_key)

    # -- queries ---------------------------------------------------------------------------------
    def row_id(self, row: int) -> uuid.UUID:
        return self._ids[self._visible[row]]

    def row_of(self, row_id: uuid.UUID) -> int | None:
        """The visible row showing `row_id`, loading batches as needed; None when filtered out."""
        try:
            source = self._ids.index(row_id)
            row = self._visible.index(source)
        except ValueError:
            return None
        while self._loaded <= row:
            self.fetchMore(QModelIndex())
        return row

    def headers(self) -> list[str]:
        return [column.title for column in self.columns]

    def visible_texts(self) -> list[tuple[str, ...]]:
        """Every row that passes the filters, in the shown order (loaded or not): what 导出/打印 output."""
        return [self._texts[i] for i in self._visible]

    def visible_colors(self) -> dict[int, QColor]:
        """Position in visible_texts() -> the row's colour (红黄绿), for rows that have one."""
        return {n: self._colors[i] for n, i in enumerate(self._visible) if i in self._colors}

    def matching_count(self) -> int:
        return len(self._visible)

    def total_count(self) -> int:
        return len(self._texts)

    # -- Qt model interface ----------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and self._loaded < len(self._visible)

    def fetchMore(self, parent: AnyIndex) -> None:
        count = min(self.BATCH, len(self._visible) - self._loaded)
        if count <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + count - 1)
        self._loaded += count
        self.endInsertRows()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        source = self._visible[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._texts[source][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and source in self._colors:
            return QBrush(self._colors[source])
        if role == ID_ROLE:
            return self._ids[source]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self._refresh()

    # -- internals -------------------------------------------------------------------------------
    def _refresh(self) -> None:
        self.beginResetModel()
        self._recompute()
        self.endResetModel()

    def _recompute(self) -> None:
        needle, filters, texts = self._needle, self._value_filters, self._texts
        rows = range(len(texts))
        if needle:
            haystack = self._haystack
            rows = [i for i in rows if needle in haystack[i]]
        if filters:
            rows = [i for i in rows if all(texts[i][c] == v for c, v in filters.items())]
        visible = list(rows)
        if self._sort is not None:
            column, order = self._sort
            if self.columns[column].pinyin:
                visible.sort(key=lambda i: pinyin_key(texts[i][column]))
            else:
                visible.sort(key=lambda i: texts[i][column])
            if order == Qt.SortOrder.DescendingOrder:
                visible.reverse()
        self._visible = visible
        self._loaded = min(self.BATCH, len(visible))


Rows = list[tuple[uuid.UUID, Sequence[object]]]
Colors = dict[uuid.UUID, QColor]
# more(limit) -> (the rows after the last one given, their colours, whether that was the last of them);
# limit None asks for all the rest
PageSource = Callable[[int | None], tuple[Rows, Colors, bool]]


class PagedRowModel(RowTableModel):
    """Rows read from the database page by page: `set_pages` gives the first page and a source of the
    next ones, read when the view scrolls to the end (fetchMore) — 首页's due list, thousands of rows in
    a county's file, opens with one page. The query filters and sorts, so header sorting is not offered;
    导出/打印 (visible_texts) read every remaining page first."""

    def __init__(self, columns: Sequence[Column], parent: object = None) -> None:
        super().__init__(columns, parent)
        self._more: PageSource | None = None

    def set_pages(self, rows: Rows, colors: Colors, more: PageSource | None) -> None:
        self._more = more
        self.set_rows(rows, colors)

    def has_unread_pages(self) -> bool:
        return self._more is not None

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return super().canFetchMore(parent) or (not parent.isValid() and self._more is not None)

    def fetchMore(self, parent: AnyIndex) -> None:
        if self._loaded >= len(self._visible) and self._more is not None:
            self._read(self.BATCH)
        super().fetchMore(parent)

    def fetch_all(self) -> None:
        if self._more is not None:
            self._read(None)

    def visible_texts(self) -> list[tuple[str, ...]]:
        self.fetch_all()
        return super().visible_texts()

    def visible_colors(self) -> dict[int, QColor]:
        self.fetch_all()
        return super().visible_colors()

    def _read(self, limit: int | None) -> None:
        assert self._more is not None
        rows, colors, last = self._more(limit)
        if last or limit is None:
            self._more = None
        start = len(self._ids)
        self._ids += [row_id for row_id, _ in rows]
        texts = [tuple(cell_text(v) for v in values) for _, values in rows]
        self._texts += texts
        self._haystack += ["\t".join(t).lower() for t in texts]
        self._colors.update({start + n: colors[row_id] for n, (row_id, _) in enumerate(rows) if row_id in colors})
        needle, filters = self._needle, self._value_filters
        self._visible += [i for i in range(start, len(self._ids))
                          if (not needle or needle in self._haystack[i])
                          and all(self._texts[i][c] == v for c, v in filters.items())]
