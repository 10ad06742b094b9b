"""Opening xlsx files from outside (sync-security B.3.11): every check before openpyxl sees a byte.

Order: the path (missing, folder, symlink loop, not a plain file) -> size -> magic (OLE2 = .xls or a
password-encrypted workbook; ODS, CSV, HTML renamed to .xlsx) -> zip directory (entry count, declared
sizes, ratio, member names, macros, encrypted or exotic compression) -> every member decompressed once
with byte caps (headers can lie), DTD/entity declarations refused (XML bombs) and the worksheets' rows
and cells counted (size limits stated before any parsing) -> openpyxl with defusedxml active, data_only,
read from memory (never extracted to disk), its English warnings silenced -> every cell checked for
Excel error values and numbers SQLite cannot hold.

The limits are module constants and every refusal names the limit, so a clerk knows what to split.
"""
from __future__ import annotations

import errno
import math
import os
import time
import warnings
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path, PurePosixPath

import openpyxl
import openpyxl.xml
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from models.errors import DomainError

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024  # tiny members (styles, rels) may compress better than 100:1 harmlessly
MAX_ROWS = 20_000  # per worksheet
MAX_COLUMNS = 60
MAX_CELLS = 400_000  # all worksheets together: openpyxl needs ~1 s per 40,000 cells on an old PC
MAX_SECONDS = 25.0  # reading one file, parsing included
# SQLite integers are signed 64-bit; Excel itself keeps only 15 significant digits, so a larger number in
# a cell is a typing accident (an ID number typed as a number) and would lose digits anyway.
MAX_NUMBER = 10 ** 15
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
_CHUNK = 1024 * 1024
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument"
_SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_XML_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


def _bad(code: str, message: str, **fields: object) -> DomainError:
    return DomainError(code, message, **fields)


class TimeBudget:
    """The seconds limit: importers call check() between rows; it raises once the file took too long."""

    def __init__(self, seconds: float = MAX_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._started = clock()

    def check(self) -> None:
        if self._clock() - self._started > self.seconds:
            raise _bad("xlsx_too_slow", f"读取该文件超过{self.seconds:.0f}秒仍未完成，已停止（上限{self.seconds:.0f}秒），"
                       "请拆分成较小的文件后再导入", seconds=self.seconds)


def _check_member_name(name: str) -> None:
    path = PurePosixPath(name)
    if ("\\" in name or name.startswith("/") or ".." in path.parts or ":" in name
            or name.startswith("//")):
        raise _bad("xlsx_bad_member", f"文件内部含有不安全的路径“{name}”，已拒绝打开", member=name)


def _looks_like_text_table(data: bytes) -> bool:
    head = data[:4096]
    if b"\0" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return any(separator in text for separator in (",", "\t", "，"))
    return False


def _check_magic(data: bytes) -> None:
    if not data:
        raise _bad("xlsx_empty", "文件是空的（0字节），不是Excel工作簿")
    if len(data) > MAX_FILE_BYTES:
        raise _bad("xlsx_too_large", f"文件过大（超过{MAX_FILE_BYTES // (1024 * 1024)}MB的上限），已拒绝打开")
    if data.startswith(_OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _bad("xlsx_encrypted", "该工作簿设置了打开密码，请在Excel中取消密码后另存为.xlsx再导入")
        raise _bad("xlsx_is_xls", "这是旧版Excel（.xls）文件，请在Excel中另存为.xlsx后再导入")
    if data.startswith(_ZIP_MAGIC):
        return
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table", b"mime-version")):
        raise _bad("xlsx_is_html", "这是网页或XML格式的表格（只是扩展名为.xlsx/.xls），请在Excel中另存为.xlsx后再导入")
    if _looks_like_text_table(data):
        raise _bad("xlsx_is_csv", "这是文本表格（.csv/.txt，只是扩展名为.xlsx），请在Excel中另存为.xlsx后再导入")
    raise _bad("xlsx_not_zip", "不是有效的Excel（.xlsx）文件")


def check_container(data: bytes) -> None:
    """Raise a DomainError naming the problem; return when the bytes are a plain xlsx zip within limits."""
    _check_magic(data)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise _bad("xlsx_not_zip", "不是有效的Excel（.xlsx）文件，文件可能已损坏") from error
    with archive:
        if len(infos) > MAX_ENTRIES:
            raise _bad("xlsx_too_many_entries", f"文件内部条目过多（{len(infos)}个，上限{MAX_ENTRIES}个），"
                       "疑似恶意文件，已拒绝打开")
        names = {info.filename for info in infos}
        if "mimetype" in names and _ODS_MIMETYPE in _read_small(archive, "mimetype"):
            raise _bad("xlsx_is_ods", "这是WPS/LibreOffice的.ods表格，请另存为Excel工作簿（.xlsx）后再导入")
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            if "xl/workbook.bin" in names:
                raise _bad("xlsx_is_xlsb", "这是二进制工作簿（.xlsb），请另存为.xlsx后再导入")
            raise _bad("xlsx_not_workbook", "压缩包中没有Excel工作簿，不是有效的.xlsx文件")
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise _bad("xlsx_has_macros", "该文件含有宏（.xlsm），请另存为不含宏的.xlsx后再导入")
        declared_total = 0
        for info in infos:
            _check_member_name(info.filename)
            if info.flag_bits & 0x1:
                raise _bad("xlsx_zip_encrypted", "文件内部经过加密，无法读取，请在Excel中取消密码后另存为.xlsx再导入")
            if info.compress_type not in _SUPPORTED_COMPRESSION:
                raise _bad("xlsx_zip_unsupported", f"文件内部“{info.filename}”使用了不支持的压缩方式，"
                           "请在Excel中另存为.xlsx后再导入", member=info.filename)
            declared_total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
                raise _bad("xlsx_zip_bomb", f"文件内部“{info.filename}”压缩比异常，疑似压缩炸弹，已拒绝打开",
                           member=info.filename)
        if declared_total > MAX_TOTAL_UNCOMPRESSED:
            raise _bad("xlsx_zip_bomb", f"文件解压后过大（上限{MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)}MB），"
                       "疑似压缩炸弹，已拒绝打开")
        _read_with_caps(archive, infos)


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        with archive.open(name) as stream:
            return stream.read(256)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        return b""


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _read_with_caps(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Decompress every member in chunks, stopping at its declared size and at the total cap; refuse
    DTDs (entity bombs) and count worksheet rows and cells so the size limits hold before parsing."""
    total = 0
    cells = 0
    for info in infos:
        if info.is_dir():
            continue
        member_bytes = 0
        rows = 0
        tail = b""
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    member_bytes += len(chunk)
                    total += len(chunk)
                    if member_bytes > info.file_size or total > MAX_TOTAL_UNCOMPRESSED:
                        raise _bad("xlsx_zip_bomb", f"文件内部“{info.filename}”的实际大小与声明不符，已拒绝打开",
                                   member=info.filename)
                    window = tail + chunk
                    if info.filename.endswith((".xml", ".rels", ".vml")) and any(
                            marker in window for marker in _XML_DECLARATIONS):
                        raise _bad("xlsx_xml_bomb", f"文件内部“{info.filename}”含有DTD/实体定义（疑似XML炸弹），"
                                   "已拒绝打开", member=info.filename)
                    if _is_worksheet(info.filename):
                        # tags cut at a chunk boundary are counted once: the tail carries the last 8 bytes
                        rows += window.count(b"<row ") + window.count(b"<row>") - tail.count(b"<row ") - tail.count(b"<row>")
                        cells += window.count(b"<c ") + window.count(b"<c>") - tail.count(b"<c ") - tail.count(b"<c>")
                    tail = chunk[-8:]
        except DomainError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as error:
            raise _bad("xlsx_corrupt", f"文件内部“{info.filename}”已损坏，无法读取", member=info.filename) from error
        except Exception as error:  # zlib.error and friends from a damaged deflate stream
            raise _bad("xlsx_corrupt", f"文件内部“{info.filename}”已损坏，无法读取", member=info.filename) from error
        if rows > MAX_ROWS:
            raise _bad("xlsx_too_many_rows", f"工作表的行数过多（{rows}行，上限{MAX_ROWS}行），请拆分后再导入",
                       rows=rows)
        if cells > MAX_CELLS:
            raise _bad("xlsx_too_many_cells", f"工作簿的单元格过多（超过{MAX_CELLS}个的上限），请拆分后再导入",
                       cells=cells)


def read_bytes(source: bytes | Path | str) -> bytes:
    """The file's bytes, or one Chinese sentence for every way a path can be wrong."""
    if isinstance(source, bytes):
        return source
    path = Path(source)
    shown = path.name or str(path)
    try:
        if not os.path.lexists(path):
            raise _bad("file_missing", f"找不到文件“{shown}”", path=str(path))
        resolved = path.resolve(strict=True)
        if resolved.is_dir():
            raise _bad("file_is_folder", f"“{shown}”是文件夹，不是Excel文件", path=str(path))
        if not resolved.is_file():
            raise _bad("file_not_regular", f"“{shown}”不是普通文件，无法导入", path=str(path))
        if resolved.stat().st_size > MAX_FILE_BYTES:
            raise _bad("xlsx_too_large", f"文件“{shown}”过大（超过{MAX_FILE_BYTES // (1024 * 1024)}MB的上限），已拒绝打开")
        with open(resolved, "rb") as stream:
            return stream.read(MAX_FILE_BYTES + 1)
    except DomainError:
        raise
    except FileNotFoundError as error:  # a dangling symbolic link
        raise _bad("file_missing", f"找不到文件“{shown}”（快捷方式指向的文件不存在）", path=str(path)) from error
    except PermissionError as error:
        raise _bad("file_no_permission", f"没有读取文件“{shown}”的权限", path=str(path)) from error
    except RuntimeError as error:  # "Symlink loop" from Path.resolve
        raise _bad("file_link_loop", f"“{shown}”是循环的符号链接，无法打开", path=str(path)) from error
    except OSError as error:  # ELOOP, EIO, name too long, …
        if error.errno == errno.ELOOP:
            raise _bad("file_link_loop", f"“{shown}”是循环的符号链接，无法打开", path=str(path)) from error
        raise _bad("file_unreadable", f"无法读取文件“{shown}”（系统错误{error.errno or ''}）", path=str(path)) from error


def _load(data: bytes) -> Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's English UserWarnings must never reach the console
        try:
            return openpyxl.load_workbook(BytesIO(data), data_only=True)
        except DomainError:
            raise
        except Exception as error:  # openpyxl raises many types for broken XML; the user needs one message
            raise _bad("xlsx_corrupt", "Excel文件内容已损坏或格式不受支持，无法读取") from error


def check_cells(sheet: Worksheet) -> None:
    """Excel error values (#N/A, #REF!, …) and numbers beyond what SQLite and Excel hold are refused with
    the cell's address: importing them would store garbage or fail half-way."""
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if value is None:
                continue
            if cell.data_type == "e" or (isinstance(value, str) and value.strip() in EXCEL_ERRORS):
                raise _bad("xlsx_error_value", f"工作表“{sheet.title}” {cell.coordinate}单元格是Excel错误值“{value}”，"
                           "请改正公式或改为文字后再导入", sheet=sheet.title, cell=cell.coordinate)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                    (isinstance(value, float) and not math.isfinite(value)) or abs(value) >= MAX_NUMBER):
                raise _bad("xlsx_number_range", f"工作表“{sheet.title}” {cell.coordinate}单元格的数字超出可导入范围"
                           f"（绝对值须小于10的15次方），如是编号请设为文本格式", sheet=sheet.title, cell=cell.coordinate)


def open_workbook(source: bytes | Path | str, budget: TimeBudget | None = None) -> Workbook:
    """The one way reports/ opens an xlsx that came from outside."""
    if not openpyxl.xml.DEFUSEDXML:
        raise _bad("defusedxml_missing", "缺少安全组件defusedxml，无法安全读取Excel文件，请重新安装本软件")
    budget = budget or TimeBudget()
    data = read_bytes(source)
    check_container(data)
    workbook = _load(data)
    budget.check()
    for sheet in workbook.worksheets:
        if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
            raise _bad("xlsx_too_big_sheet",
                       f"工作表“{sheet.title}”过大（{sheet.max_row}行×{sheet.max_column}列，上限{MAX_ROWS}行×"
                       f"{MAX_COLUMNS}列），超出可导入范围")
        check_cells(sheet)
        budget.check()
    return workbook


def visible(sheet: Worksheet) -> bool:
    return sheet.sheet_state == "visible"


def choose_sheet(workbook: Workbook, is_candidate: Callable[[Worksheet], bool], name: str | None = None,
                 none_found: DomainError | None = None) -> Worksheet:
    """The sheet an importer reads: the one named (CLI --sheet), else the only visible sheet that looks
    like the expected table (wherever the workbook was left active). Several candidates: the clerk is
    asked (the DomainError lists them in `sheets`); a candidate only among hidden sheets is named, never
    read silently. No candidate at all: `none_found`, else a generic message."""
    if name is not None:
        if name not in workbook.sheetnames:
            raise _bad("xlsx_sheet_missing", f"工作簿中没有名为“{name}”的工作表（现有：{'、'.join(workbook.sheetnames)}）",
                       sheets=tuple(workbook.sheetnames))
        return workbook[name]
    shown = [sheet for sheet in workbook.worksheets if visible(sheet)]
    candidates = [sheet for sheet in shown if is_candidate(sheet)]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = tuple(sheet.title for sheet in candidates)
        raise _bad("xlsx_choose_sheet", f"工作簿中有{len(names)}个工作表都像要导入的表格（{'、'.join(names)}），"
                   "请指定其中一个（命令行用 --sheet 工作表名）", sheets=names)
    hidden = [sheet.title for sheet in workbook.worksheets if not visible(sheet) and is_candidate(sheet)]
    if hidden:
        raise _bad("xlsx_sheet_hidden", f"要导入的表格在隐藏的工作表“{'、'.join(hidden)}”中，请在Excel中取消隐藏，"
                   "或用 --sheet 指定该工作表", sheets=tuple(hidden))
    raise none_found or _bad("xlsx_no_table_sheet", "工作簿的可见工作表中没有找到可导入的表格（请检查表头）",
                             sheets=tuple(sheet.title for sheet in shown))
