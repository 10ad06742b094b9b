"""Container checks run before openpyxl parses anything (sync-security B.3.11)."""
from __future__ import annotations

import io
import zipfile

import pytest

from models.errors import DomainError
from reports.xlsx.safety import check_container, open_workbook
from tests.reports_xlsx.builders import seed_published_xlsx

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BASE = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def code_of(data: bytes) -> str:
    with pytest.raises(DomainError) as raised:
        check_container(data)
    assert raised.value.message  # always a sentence for the clerk
    return raised.value.code


def test_a_real_workbook_passes_and_opens():
    check_container(seed_published_xlsx())
    assert open_workbook(seed_published_xlsx()).active["A1"].value == "附件"


def test_xls_and_encrypted_workbooks_get_their_own_message():
    assert code_of(OLE2 + b"\0" * 600) == "xlsx_is_xls"
    assert code_of(OLE2 + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le")) == "xlsx_encrypted"


def test_non_workbooks_macros_and_binary_workbooks():
    assert code_of(b"%PDF-1.7") == "xlsx_not_zip"
    assert code_of(b"PK\x03\x04garbage") == "xlsx_not_zip"
    assert code_of(zip_of({"readme.txt": b"hi"})) == "xlsx_not_workbook"
    assert code_of(zip_of({**BASE, "xl/vbaProject.bin": b"x"})) == "xlsx_has_macros"
    assert code_of(zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"x"})) == "xlsx_is_xlsb"


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/passwd", "xl\\..\\x.xml", "C:/x.xml"])
def test_unsafe_member_names(name):
    assert code_of(zip_of({**BASE, name: b"x"})) == "xlsx_bad_member"


def test_zip_bombs_by_ratio_count_and_lying_headers():
    assert code_of(zip_of({**BASE, "xl/big.xml": b"a" * (30 * 1024 * 1024)})) == "xlsx_zip_bomb"
    assert code_of(zip_of({**BASE, **{f"xl/m{i}.xml": b"" for i in range(10_001)}},
                          zipfile.ZIP_STORED)) == "xlsx_too_many_entries"
    # declared size says 10 bytes, the stream holds 1 MB: zipfile stops at the declared size and the CRC fails
    data = bytearray(zip_of({**BASE, "xl/lie.xml": b"b" * 1_000_000}, zipfile.ZIP_STORED))
    info = next(i for i in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist() if i.filename == "xl/lie.xml")
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/lie.xml"))
    data[central + 24:central + 28] = (10).to_bytes(4, "little")  # uncompressed size in the central directory
    assert info.file_size == 1_000_000
    assert code_of(bytes(data)) in {"xlsx_zip_bomb", "xlsx_corrupt"}


def test_corrupt_xml_inside_a_valid_container():
    with pytest.raises(DomainError) as raised:
        open_workbook(zip_of(BASE))
    assert raised.value.code == "xlsx_corrupt"


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def open_code(source) -> DomainError:
    with pytest.raises(DomainError) as raised:
        open_workbook(source)
    assert raised.value.message and "\n" not in raised.value.message
    return raised.value


def test_every_bad_path_gets_its_own_sentence(tmp_path):
    import os

    assert open_code(tmp_path / "没有.xlsx").code == "file_missing"
    (tmp_path / "文件夹.xlsx").mkdir()
    assert open_code(tmp_path / "文件夹.xlsx").code == "file_is_folder"
    os.symlink(tmp_path / "b.xlsx", tmp_path / "a.xlsx")
    os.symlink(tmp_path / "a.xlsx", tmp_path / "b.xlsx")
    assert open_code(tmp_path / "a.xlsx").code == "file_link_loop"
    os.symlink(tmp_path / "nowhere.xlsx", tmp_path / "dangling.xlsx")
    assert open_code(tmp_path / "dangling.xlsx").code == "file_missing"
    os.mkfifo(tmp_path / "管道.xlsx")
    assert open_code(tmp_path / "管道.xlsx").code == "file_not_regular"  # reading would block forever


def test_other_formats_renamed_to_xlsx_are_named():
    assert code_of(b"") == "xlsx_empty"
    assert code_of("文号,被建议单位\n1,2\n".encode("gb18030")) == "xlsx_is_csv"
    assert code_of(b"<html><table><tr><td>1</td></tr></table></html>") == "xlsx_is_html"
    assert code_of(zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})) == "xlsx_is_ods"


def test_zip_features_openpyxl_cannot_read_safely_are_refused():
    good = members_of(seed_published_xlsx())
    assert code_of(zip_of(good, zipfile.ZIP_LZMA)) == "xlsx_zip_unsupported"
    data = bytearray(seed_published_xlsx())
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 1
    assert code_of(bytes(data)) == "xlsx_zip_encrypted"
    damaged = bytearray(seed_published_xlsx())
    info = max(zipfile.ZipFile(io.BytesIO(bytes(damaged))).infolist(), key=lambda i: i.compress_size)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(10, 300, 5):
        damaged[start + offset] ^= 0xFF
    assert code_of(bytes(damaged)) == "xlsx_corrupt"


def test_dtds_are_refused_before_parsing():
    good = members_of(seed_published_xlsx())
    bomb = b'<?xml version="1.0"?><!DOCTYPE z [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><workbook/>'
    assert code_of(zip_of({**good, "xl/workbook.xml": bomb})) == "xlsx_xml_bomb"


def test_row_and_cell_limits_are_stated_before_parsing():
    from reports.xlsx.safety import MAX_ROWS

    good = members_of(seed_published_xlsx())
    rows = "".join(f'<row r="{i}"/>' for i in range(1, MAX_ROWS + 2))
    sheet = f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>'
    with pytest.raises(DomainError) as raised:
        check_container(zip_of({**good, "xl/worksheets/sheet1.xml": sheet.encode()}))
    assert raised.value.code == "xlsx_too_many_rows" and f"上限{MAX_ROWS}行" in raised.value.message


def test_error_values_and_huge_numbers_are_refused_with_the_cell_address():
    from openpyxl import Workbook

    from tests.reports_xlsx.builders import workbook_bytes

    for value, code, address in (("#N/A", "xlsx_error_value", "C4"), ("#REF!", "xlsx_error_value", "C4"),
                                 (10 ** 20, "xlsx_number_range", "C4"), (1e300, "xlsx_number_range", "C4")):
        book = Workbook()
        book.active.title = "台账"
        book.active["C4"] = value
        error = open_code(workbook_bytes(book))
        assert error.code == code and f"工作表“台账” {address}单元格" in error.message


def test_openpyxl_warnings_never_reach_the_console(recwarn):
    good = members_of(seed_published_xlsx())
    # a data validation extension openpyxl does not support: it warns in English when reading
    sheet = good["xl/worksheets/sheet1.xml"].replace(
        b"</worksheet>", b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
                         b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                         b'<x14:dataValidations count="0"/></ext></extLst></worksheet>')
    open_workbook(zip_of({**good, "xl/worksheets/sheet1.xml": sheet}))
    assert not [w for w in recwarn if "openpyxl" in w.filename]


def test_the_time_budget_stops_with_the_limit_stated():
    from reports.xlsx.safety import TimeBudget

    ticks = iter([0.0, 5.0, 31.0])
    budget = TimeBudget(25, clock=lambda: next(ticks))
    budget.check()
    with pytest.raises(DomainError) as raised:
        budget.check()
    assert raised.value.code == "xlsx_too_slow" and "上限25秒" in raised.value.message


def test_sheet_choice_visible_named_or_asked():
    from openpyxl import Workbook

    from reports.xlsx.safety import choose_sheet

    book = Workbook()
    book.active.title = "说明"
    first = book.create_sheet("甲")
    second = book.create_sheet("乙")
    is_table = lambda sheet: sheet.title in ("甲", "乙")  # noqa: E731
    with pytest.raises(DomainError) as raised:
        choose_sheet(book, is_table)
    assert raised.value.code == "xlsx_choose_sheet" and raised.value.fields["sheets"] == ("甲", "乙")
    assert choose_sheet(book, is_table, "乙") is second
    second.sheet_state = "hidden"
    assert choose_sheet(book, is_table) is first
    first.sheet_state = "hidden"
    with pytest.raises(DomainError) as raised:
        choose_sheet(book, is_table)
    assert raised.value.code == "xlsx_sheet_hidden"
    with pytest.raises(DomainError) as raised:
        choose_sheet(book, is_table, "丙")
    assert raised.value.code == "xlsx_sheet_missing"
