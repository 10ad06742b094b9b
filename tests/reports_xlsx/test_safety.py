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
