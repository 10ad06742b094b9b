"""Opening xlsx files from outside (sync-security B.3.11): container checks before openpyxl sees a byte.

Order: size -> magic (OLE2 = .xls or password-encrypted workbook) -> zip directory (entry count, declared
sizes, ratio, member names, macros) -> every member decompressed once with byte caps (headers can lie) ->
openpyxl with defusedxml active, data_only, read from memory (never extracted to disk).
"""
from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath

import openpyxl
import openpyxl.xml
from openpyxl.workbook.workbook import Workbook

from models.errors import DomainError

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024  # tiny members (styles, rels) may compress better than 100:1 harmlessly
MAX_ROWS = 20_000
MAX_COLUMNS = 60
_CHUNK = 1024 * 1024
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def _bad(code: str, message: str, **fields: object) -> DomainError:
    return DomainError(code, message, **fields)


def _check_member_name(name: str) -> None:
    path = PurePosixPath(name)
    if ("\\" in name or name.startswith("/") or ".." in path.parts or ":" in name
            or name.startswith("//")):
        raise _bad("xlsx_bad_member", f"文件内部含有不安全的路径“{name}”，已拒绝打开", member=name)


def check_container(data: bytes) -> None:
    """Raise a DomainError naming the problem; return when the bytes are a plain xlsx zip within limits."""
    if len(data) > MAX_FILE_BYTES:
        raise _bad("xlsx_too_large", f"文件过大（超过{MAX_FILE_BYTES // (1024 * 1024)}MB），已拒绝打开")
    if data.startswith(_OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise _bad("xlsx_encrypted", "该工作簿设置了打开密码，请在Excel中取消密码后另存为.xlsx再导入")
        raise _bad("xlsx_is_xls", "这是旧版Excel（.xls）文件，请在Excel中另存为.xlsx后再导入")
    if not data.startswith(_ZIP_MAGIC):
        raise _bad("xlsx_not_zip", "不是有效的Excel（.xlsx）文件")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _bad("xlsx_not_zip", "不是有效的Excel（.xlsx）文件，文件可能已损坏") from error
    with archive:
        if len(infos) > MAX_ENTRIES:
            raise _bad("xlsx_too_many_entries", f"文件内部条目过多（{len(infos)}个），疑似恶意文件，已拒绝打开")
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            if "xl/workbook.bin" in names:
                raise _bad("xlsx_is_xlsb", "这是二进制工作簿（.xlsb），请另存为.xlsx后再导入")
            raise _bad("xlsx_not_workbook", "压缩包中没有Excel工作簿，不是有效的.xlsx文件")
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise _bad("xlsx_has_macros", "该文件含有宏（.xlsm），请另存为不含宏的.xlsx后再导入")
        declared_total = 0
        for info in infos:
            _check_member_name(info.filename)
            declared_total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
                raise _bad("xlsx_zip_bomb", f"文件内部“{info.filename}”压缩比异常，疑似压缩炸弹，已拒绝打开",
                           member=info.filename)
        if declared_total > MAX_TOTAL_UNCOMPRESSED:
            raise _bad("xlsx_zip_bomb", "文件解压后过大，疑似压缩炸弹，已拒绝打开")
        _read_with_caps(archive, infos)


def _read_with_caps(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Decompress every member in chunks, stopping at its declared size and at the total cap."""
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        member_bytes = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    member_bytes += len(chunk)
                    total += len(chunk)
                    if member_bytes > info.file_size or total > MAX_TOTAL_UNCOMPRESSED:
                        raise _bad("xlsx_zip_bomb", f"文件内部“{info.filename}”的实际大小与声明不符，已拒绝打开",
                                   member=info.filename)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as error:
            raise _bad("xlsx_corrupt", f"文件内部“{info.filename}”已损坏，无法读取", member=info.filename) from error


def read_bytes(source: bytes | Path | str) -> bytes:
    if isinstance(source, bytes):
        return source
    path = Path(source)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _bad("xlsx_too_large", f"文件过大（超过{MAX_FILE_BYTES // (1024 * 1024)}MB），已拒绝打开")
    return path.read_bytes()


def open_workbook(source: bytes | Path | str) -> Workbook:
    """The one way reports/ opens an xlsx that came from outside."""
    if not openpyxl.xml.DEFUSEDXML:
        raise _bad("defusedxml_missing", "缺少安全组件defusedxml，无法安全读取Excel文件，请重新安装本软件")
    data = read_bytes(source)
    check_container(data)
    try:
        workbook = openpyxl.load_workbook(BytesIO(data), data_only=True)
    except DomainError:
        raise
    except Exception as error:  # openpyxl raises many types for broken XML; the user needs one message
        raise _bad("xlsx_corrupt", "Excel文件内容已损坏或格式不受支持，无法读取") from error
    for sheet in workbook.worksheets:
        if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
            raise _bad("xlsx_too_big_sheet",
                       f"工作表“{sheet.title}”过大（{sheet.max_row}行×{sheet.max_column}列），超出可导入范围")
    return workbook
