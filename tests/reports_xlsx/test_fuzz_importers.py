"""Seeded fuzz of every Excel importer (tasks import, tasks collect, ledger/cases/units import): 320 hostile
or mangled files. Each must end as a clean import or one Chinese line (a DomainError), never a traceback
or an English warning, with the database dump unchanged on every refusal and every case under 30 s."""
from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.errors import DomainError
from models.services.dump import dump_text
from models.services.excel_files import collect_returned_sheets, import_task_list_file, write_fill_sheets
from models.services.records_import import import_records_file
from models.services.units import add_unit
from tests.reports_xlsx.builders import seed_published_xlsx, workbook_bytes
from tests.reports_xlsx.records_fixtures import cases_xlsx, ledger_xlsx, units_xlsx

CASES_PER_TARGET = 64  # x 5 targets = 320 cases
SEED = 20261203
CJK = re.compile(r"[\u4e00-\u9fff]")
NASTY: tuple[object, ...] = (
    "①", "²", "１２", "⑳", "#N/A", "#REF!", "#DIV/0!", 10 ** 20, 1e300, -1, 0, 3.5, "=SUM(A1:A2)", "@x", " ", "\t",
    "长" * 5000, "2023.13.45", "2023年2月30日", "9" * 25, "〔2023〕", "宿检行公建〔2023〕1号", True, "一、新方面",
    "注：说明", "1.", "①②③", "①甲②乙", "长期坚持", dt.datetime(1900, 1, 1), dt.datetime(2099, 12, 31), "\u202e反向",
    "市检察院、市公安局", "已完成", "未知状态", "行政公益诉讼", "是", "否", "2023/3/5", "44990", "x\ny\nz", "案号",
)


# -- file-level mutations: the bytes of a valid file -> hostile bytes ------------------------------------------
def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _sheet_name(members: dict[str, bytes]) -> str:
    return next(name for name in members if name.startswith("xl/worksheets/sheet"))


def truncated(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(1, len(data))]


def flipped(data: bytes, rng: random.Random) -> bytes:
    mangled = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        position = rng.randrange(len(mangled))
        mangled[position] = rng.randrange(256)
    return bytes(mangled)


def damaged_deflate(data: bytes, rng: random.Random) -> bytes:
    """Garbage inside a member's compressed stream; the zip directory stays intact."""
    mangled = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = [i for i in archive.infolist() if i.compress_size > 40]
    info = rng.choice(infos)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(rng.randrange(4, 20), min(info.compress_size, 400), 7):
        mangled[start + offset] ^= 0xA5
    return bytes(mangled)


def xml_bomb(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')
    target = rng.choice([_sheet_name(members), "xl/workbook.xml", "xl/sharedStrings.xml"])
    members[target] = (lol + members.get(target, b"<x/>").decode("utf-8").split("?>", 1)[-1]).encode()
    return _zip(members)


def external_entity(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    name = _sheet_name(members)
    members[name] = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                     + members[name].split(b"?>", 1)[-1])
    return _zip(members)


def lzma_zip(data: bytes, rng: random.Random) -> bytes:
    return _zip(_members(data), zipfile.ZIP_LZMA)


def encrypted_flag(data: bytes, rng: random.Random) -> bytes:
    mangled = bytearray(data)
    position = mangled.find(b"PK\x01\x02")
    mangled[position + 8] |= 0x01  # general purpose flag in the central directory: "encrypted"
    return bytes(mangled)


def too_many_rows(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>x</t></is></c></row>' for i in range(1, 20_050))
    members[_sheet_name(members)] = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main"><sheetData>{rows}</sheetData></worksheet>').encode()
    return _zip(members)


def ratio_bomb(data: bytes, rng: random.Random) -> bytes:
    return _zip({**_members(data), "xl/media/big.bin": b"\0" * (20 * 1024 * 1024)})


def macro_or_xlsb(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    if rng.random() < 0.5:
        members["xl/vbaProject.bin"] = b"vba"
    else:
        members["xl/workbook.bin"] = members.pop("xl/workbook.xml")
    return _zip(members)


def unsafe_member(data: bytes, rng: random.Random) -> bytes:
    return _zip({**_members(data), rng.choice(["../../evil.xml", "/abs.xml", "xl\\..\\x.xml", "C:/x.xml"]): b"x"})


def renamed(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([
        "文号,被建议单位\n宿检行公建〔2023〕1号,县水利局\n".encode("gb18030"),
        "序号\t重点任务\n1\t任务\n".encode(),
        b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * rng.randrange(100, 2000),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64,
        b"", b"%PDF-1.7\n", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))),
        b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(200)),
    ])


# -- workbook-level mutations: a valid table with hostile cells, sheets and merges ----------------------------
def _edit(data: bytes, change: Callable) -> bytes:  # type: ignore[type-arg]
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    return workbook_bytes(workbook)


def nasty_cells(data: bytes, rng: random.Random) -> bytes:
    def change(workbook) -> None:  # noqa: ANN001
        sheet = workbook.worksheets[0]
        for _ in range(rng.randint(1, 6)):
            row, column = rng.randint(1, sheet.max_row + 2), rng.randint(1, sheet.max_column + 2)
            try:
                sheet.cell(row, column).value = rng.choice(NASTY)
            except AttributeError:  # a merged cell below its top-left: openpyxl keeps it read-only
                continue
    return _edit(data, change)


def serial_digits(data: bytes, rng: random.Random) -> bytes:
    """Circled, superscript, full-width or enormous numbers where a 序号 or task number goes."""
    def change(workbook) -> None:  # noqa: ANN001
        sheet = workbook.worksheets[0]
        sheet.insert_cols(1)
        for row in range(1, sheet.max_row + 1):
            sheet.cell(row, 1).value = rng.choice(["①", "²", "１", "⑩", str(10 ** 30), 1e300, "3", 7, "", "序号"])
    return _edit(data, change)


def hidden_or_extra_sheets(data: bytes, rng: random.Random) -> bytes:
    def change(workbook) -> None:  # noqa: ANN001
        first = workbook.worksheets[0]
        choice = rng.randrange(3)
        if choice == 0:  # the table hidden behind an empty visible sheet
            workbook.create_sheet("说明").append(["请勿修改"])
            first.sheet_state = rng.choice(["hidden", "veryHidden"])
            workbook.active = 1
        elif choice == 1:  # two candidate tables: the importer must ask
            copy = workbook.copy_worksheet(first)
            copy.title = "副本"
        else:  # the active sheet is an empty one
            workbook.create_sheet("空白", 0)
            workbook.active = 0
    return _edit(data, change)


def stray_columns_and_merges(data: bytes, rng: random.Random) -> bytes:
    def change(workbook) -> None:  # noqa: ANN001
        sheet = workbook.worksheets[0]
        for _ in range(rng.randint(1, 4)):
            row = rng.randint(1, max(1, sheet.max_row))
            sheet.cell(row, sheet.max_column + rng.randint(1, 3)).value = rng.choice(["手写补充", "？", "见附件"])
        for _ in range(rng.randint(0, 2)):
            top, left = rng.randint(1, sheet.max_row), rng.randint(1, sheet.max_column)
            bottom, right = top + rng.randint(0, 3), left + rng.randint(0, 2)
            overlaps = any(not (bottom < m.min_row or top > m.max_row or right < m.min_col or left > m.max_col)
                           for m in sheet.merged_cells.ranges)
            if not overlaps:
                sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    return _edit(data, change)


def shuffled_rows(data: bytes, rng: random.Random) -> bytes:
    def change(workbook) -> None:  # noqa: ANN001
        sheet = workbook.worksheets[0]
        for merged in list(sheet.merged_cells.ranges):
            sheet.unmerge_cells(str(merged))
        rows = [[cell.value for cell in line] for line in sheet.iter_rows()]
        rng.shuffle(rows)
        if rng.random() < 0.3:
            rows = rows[: rng.randint(0, len(rows))]
        sheet.delete_rows(1, sheet.max_row)
        for line in rows:
            sheet.append(line)
    return _edit(data, change)


FILE_MUTATIONS = (truncated, flipped, damaged_deflate, xml_bomb, external_entity, lzma_zip, encrypted_flag,
                  too_many_rows, ratio_bomb, macro_or_xlsb, unsafe_member, renamed)
BOOK_MUTATIONS = (nasty_cells, nasty_cells, serial_digits, hidden_or_extra_sheets, stray_columns_and_merges,
                  shuffled_rows)
PATH_CASES = ("missing", "folder", "symlink_loop", "dangling_symlink", "fifo")


def hostile_path(kind: str, folder: Path, data: bytes) -> Path:
    path = folder / f"{kind}.xlsx"
    if kind == "folder":
        path.mkdir()
    elif kind == "symlink_loop":
        os.symlink(folder / "loop_b.xlsx", folder / "loop_a.xlsx")
        os.symlink(folder / "loop_a.xlsx", folder / "loop_b.xlsx")
        path = folder / "loop_a.xlsx"
    elif kind == "dangling_symlink":
        os.symlink(folder / "nowhere.xlsx", path)
    elif kind == "fifo":
        os.mkfifo(path)
    return path


# -- the run ---------------------------------------------------------------------------------------------------
def run_fuzz(db, target: str, base: bytes, call: Callable[[Path], object], tmp_path: Path) -> None:
    rng = random.Random(f"{SEED}-{target}")
    problems: list[str] = []
    refused = imported = unchanged = 0
    for index in range(CASES_PER_TARGET):
        folder = tmp_path / f"{target}-{index}"
        folder.mkdir()
        if index < len(PATH_CASES):
            label, path = PATH_CASES[index], hostile_path(PATH_CASES[index], folder, base)
        else:
            mutations = FILE_MUTATIONS + BOOK_MUTATIONS
            mutation = mutations[index % len(mutations)]
            label = mutation.__name__
            path = folder / "文件.xlsx"
            path.write_bytes(mutation(base, rng))
        with db.read_scope() as session:
            before = dump_text(session)
        started = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                call(path)
            except DomainError as error:
                refused += 1
                message = error.message
                if "\n" in message or not CJK.search(message) or "Traceback" in message:
                    problems.append(f"{index} {label}: not one Chinese line: {message!r}")
                with db.read_scope() as session:
                    if dump_text(session) != before:
                        problems.append(f"{index} {label}: refused ({error.code}) but the database changed")
            except Exception as error:  # noqa: BLE001 - the point: nothing else may escape
                problems.append(f"{index} {label}: {type(error).__name__}: {error}")
            else:
                imported += 1
                with db.read_scope() as session:
                    # a batch importer may report a refused file instead of raising: nothing written then
                    unchanged += dump_text(session) == before
        elapsed = time.perf_counter() - started
        if elapsed > 30:
            problems.append(f"{index} {label}: took {elapsed:.1f} s")
        shown = [w for w in caught if "openpyxl" in (w.filename or "") or "openpyxl" in str(w.message)]
        if shown:
            problems.append(f"{index} {label}: warning reached the console: {shown[0].message}")
    assert not problems, "\n".join(problems)
    assert refused + unchanged >= CASES_PER_TARGET // 2  # the generator really is hostile
    assert refused + imported == CASES_PER_TARGET


TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize("kind, base", [("ledger", lambda: ledger_xlsx(6, wrong_due_row=None)),
                                        ("cases", cases_xlsx), ("units", units_xlsx)])
def test_records_importers_survive_the_fuzz(new_db, tmp_path, kind, base):
    run_fuzz(new_db, kind, base(), lambda path: import_records_file(new_db, path, kind), tmp_path)


def test_task_list_import_survives_the_fuzz(new_db, tmp_path):
    run_fuzz(new_db, "tasks-import", seed_published_xlsx(),
             lambda path: import_task_list_file(new_db, path, TODAY), tmp_path)


def test_collect_survives_the_fuzz(new_db, tmp_path):
    source = tmp_path / "清单.xlsx"
    source.write_bytes(seed_published_xlsx())
    import_task_list_file(new_db, source, TODAY)
    with new_db.write_scope() as session:  # fill sheets go only to units of the directory
        add_unit(session, "宿州市司法局", short_name="市司法局")
    sheets = write_fill_sheets(new_db, 2022, "2022Q2", dt.date(2022, 6, 30), tmp_path / "填报表", ("市司法局",))
    base = sheets.files[0].read_bytes()
    run_fuzz(new_db, "tasks-collect", base, lambda path: collect_returned_sheets(new_db, [path]), tmp_path)
