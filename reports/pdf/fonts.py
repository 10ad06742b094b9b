"""Font registry: which file draws each typeface role, and per-character fallback.

Resolution per role: the caller's override mapping, then the office's installed fonts (Windows file
names searched in `models.platform.system_font_dirs()`), then the open-licensed fonts bundled in
resources/fonts. reportlab has no glyph fallback and silently drops missing glyphs, so every
character is looked up in the role's font first and then in the bundled fallback chain.
Fonts are registered once per process (module-level cache); nothing here reads the database.
"""
from __future__ import annotations

import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from threading import Lock

from reportlab.pdfbase import pdfmetrics, ttfonts

from models.errors import DomainError
from models.platform import resources_dir, system_font_dirs


class Face(StrEnum):
    """Typefaces GB/T 9704 names; the value is the key of the font-override mapping."""

    FANGSONG = "fangsong"  # 仿宋: body text, headings level 3 and 4
    HEITI = "heiti"  # 黑体: level-1 headings
    KAITI = "kaiti"  # 楷体: level-2 headings
    TITLE = "title"  # 小标宋: document titles
    SONG = "song"  # 宋体: page-number digits


@dataclass(frozen=True)
class FontFile:
    path: Path
    subfont_index: int = 0  # face inside a .ttc collection


# File names of the fonts a Chinese government office usually has installed, best first.
SYSTEM_FONT_FILES: dict[Face, tuple[str, ...]] = {
    Face.FANGSONG: ("仿宋_GB2312.ttf", "FangSong_GB2312.ttf", "simfang.ttf"),
    Face.HEITI: ("simhei.ttf",),
    Face.KAITI: ("楷体_GB2312.ttf", "KaiTi_GB2312.ttf", "simkai.ttf"),
    Face.TITLE: ("方正小标宋简体.ttf", "FZXBSJW.TTF", "方正小标宋_GBK.ttf", "FZXBSK.TTF"),
    Face.SONG: ("simsun.ttc", "simsun.ttf"),
}

# Bundled substitutes. No open simplified 仿宋 exists in Debian; 文鼎PL简报宋 is the closest
# light-stroke face and is also used for titles (drawn with a synthetic heavy stroke).
BUNDLED_FONT_FILES: dict[Face, FontFile] = {
    Face.FANGSONG: FontFile(Path("gbsn00lp.ttf")),
    Face.HEITI: FontFile(Path("wqy-microhei.ttc")),
    Face.KAITI: FontFile(Path("gkai00mp.ttf")),
    Face.TITLE: FontFile(Path("gbsn00lp.ttf")),
    Face.SONG: FontFile(Path("gbsn00lp.ttf")),
}
# Tried for characters the role's font lacks (堃 喆 玥 䶮 𬌗 …), in this order.
BUNDLED_FALLBACK_FILES: tuple[FontFile, ...] = (
    FontFile(Path("LXGWWenKai-Regular.ttf")),
    FontFile(Path("wqy-microhei.ttc")),
)
# A real 小标宋 is heavy; a light Song substitute gets a stroke of this many em to look like one.
SUBSTITUTE_TITLE_STROKE_EM = 0.025

FontOverride = str | Path | FontFile


def _fix_to_unicode_cmap() -> None:
    """reportlab 5 writes ToUnicode entries above U+FFFF as 5 hex digits (<2C317> for 𬌗), which
    readers take as U+2C31; PDF wants the UTF-16BE surrogate pair (<D870DF17>). Patch once."""
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "_fjld_fixed", False):
        return
    entry = re.compile(r"^(<[0-9A-F]{2}> )<([0-9A-F]{5,6})>$", re.MULTILINE)

    def as_utf16(match: re.Match[str]) -> str:
        code = int(match.group(2), 16) - 0x10000
        return f"{match.group(1)}<{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}>"

    def fixed(fontname: str, subset: Sequence[int]) -> str:
        return entry.sub(as_utf16, original(fontname, subset))

    fixed._fjld_fixed = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = fixed


_fix_to_unicode_cmap()

_registered: dict[tuple[str, int], str] = {}  # (resolved path, subfont index) -> reportlab name
_register_lock = Lock()


def register_font_file(font_file: FontFile) -> str:
    """Register a TrueType file with reportlab once per process; return its reportlab name."""
    path = font_file.path.resolve()
    key = (str(path), font_file.subfont_index)
    with _register_lock:
        if key in _registered:
            return _registered[key]
        name = f"FJLD{len(_registered) + 1}-{path.stem}-{font_file.subfont_index}"
        try:
            font = ttfonts.TTFont(name, str(path), subfontIndex=font_file.subfont_index)
        except ttfonts.TTFError as exc:
            if "postscript outlines" in str(exc):
                raise DomainError("font_cff", f"字体文件“{path.name}”是PostScript(CFF)轮廓，无法嵌入PDF，"
                                  "请改用TrueType字体（.ttf/.ttc）", path=str(path)) from exc
            raise DomainError("font_unreadable", f"无法读取字体文件“{path.name}”：{exc}",
                              path=str(path)) from exc
        except (OSError, ValueError, IndexError, KeyError, struct.error, AssertionError) as exc:
            # a truncated or damaged file fails anywhere inside the table parser
            raise DomainError("font_unreadable", f"无法读取字体文件“{path.name}”（文件不完整或不是TrueType字体）",
                              path=str(path)) from exc
        pdfmetrics.registerFont(font)
        _registered[key] = name
        return name


def _as_font_file(value: FontOverride) -> FontFile:
    if isinstance(value, FontFile):
        return value
    return FontFile(Path(value))


def _find_system_font(face: Face, dirs: Sequence[Path]) -> FontFile | None:
    for folder in dirs:
        try:
            by_lower_name = {p.name.lower(): p for p in folder.iterdir()}
        except OSError:
            continue
        for file_name in SYSTEM_FONT_FILES[face]:
            found = by_lower_name.get(file_name.lower())
            if found is not None:
                return FontFile(found)
    return None


class FontSet:
    """The resolved fonts for one rendering configuration. Immutable once built; thread-safe reads."""

    def __init__(self, primary: Mapping[Face, str], fallback: Sequence[str],
                 substituted: frozenset[Face]) -> None:
        self.primary = dict(primary)
        self.fallback = tuple(fallback)
        self.substituted = substituted  # faces drawn by a bundled substitute, not the real typeface
        self._coverage = {name: pdfmetrics.getFont(name).face.charToGlyph
                          for name in {*self.primary.values(), *self.fallback}}
        self._chains = {face: (name, *[f for f in self.fallback if f != name])
                        for face, name in self.primary.items()}
        self._font_of_char: dict[tuple[Face, str], str | None] = {}
        self._widths: dict[tuple[str, str], float] = {}

    def font_for(self, face: Face, char: str) -> str | None:
        """The first font of the face's chain that has a glyph for `char` (None: no font has one)."""
        key = (face, char)
        try:
            return self._font_of_char[key]
        except KeyError:
            code = ord(char)
            found = next((name for name in self._chains[face] if code in self._coverage[name]), None)
            if found is None and char.isspace():
                found = self.primary[face]
            self._font_of_char[key] = found
            return found

    def missing_chars(self, face: Face, text: str) -> str:
        return "".join(dict.fromkeys(c for c in text if self.font_for(face, c) is None))

    def width(self, face: Face, char: str, size: float) -> float:
        """Advance width of `char` at `size` in the font that will actually draw it."""
        name = self.font_for(face, char) or self.primary[face]
        key = (name, char)
        try:
            per_point = self._widths[key]
        except KeyError:
            per_point = self._widths[key] = pdfmetrics.stringWidth(char, name, 1.0)
        return per_point * size

    def runs(self, face: Face, text: str) -> list[tuple[str, str]]:
        """Split `text` into (font name, chunk) runs so each character uses a font that has it."""
        result: list[tuple[str, str]] = []
        current: str | None = None
        start = 0
        for index, char in enumerate(text):
            name = self.font_for(face, char) or self.primary[face]
            if name != current:
                if current is not None:
                    result.append((current, text[start:index]))
                current, start = name, index
        if current is not None:
            result.append((current, text[start:]))
        return result

    def glyph_extent(self, face: Face, char: str) -> tuple[float, float]:
        """(yMin, yMax) of the glyph outline in em, read from the glyf table (used to centre the
        page-number dash exactly where the standard puts it)."""
        name = self.font_for(face, char) or self.primary[face]
        ttf = pdfmetrics.getFont(name).face
        glyph = ttf.charToGlyph[ord(char)]
        glyf_start = ttf.get_table_pos("glyf")[0]
        ttf.seek(glyf_start + ttf.glyphPos[glyph] + 4)  # skip numberOfContours and xMin
        y_min = ttf.read_short()
        ttf.skip(2)
        y_max = ttf.read_short()
        return y_min / ttf.unitsPerEm, y_max / ttf.unitsPerEm


_font_sets: dict[tuple[object, ...], FontSet] = {}
_font_sets_lock = Lock()


def load_fonts(overrides: Mapping[str, FontOverride] | None = None,
               system_dirs: Sequence[Path] | None = None) -> FontSet:
    """Resolve and register the fonts for each face; cached per (overrides, system dirs).

    `overrides` maps a face name ("fangsong", "heiti", "kaiti", "title", "song") or "fallback"
    (a font tried before the bundled fallbacks) to a .ttf/.ttc path or a FontFile.
    """
    overrides = dict(overrides or {})
    unknown = set(overrides) - {f.value for f in Face} - {"fallback"}
    if unknown:
        raise DomainError("font_role_unknown", f"未知的字体用途：{'、'.join(sorted(unknown))}",
                          roles=sorted(unknown))
    dirs = tuple(system_font_dirs() if system_dirs is None else system_dirs)
    cache_key = (tuple(sorted((k, str(v)) for k, v in overrides.items())), dirs)
    with _font_sets_lock:
        cached = _font_sets.get(cache_key)
    if cached is not None:
        return cached
    bundled = resources_dir() / "fonts"
    primary: dict[Face, str] = {}
    substituted: set[Face] = set()
    for face in Face:
        if face.value in overrides:
            chosen = _as_font_file(overrides[face.value])
        else:
            chosen = _find_system_font(face, dirs)
            if chosen is None and face is Face.TITLE:
                # 方正小标宋 is not part of stock Windows: heavy-stroked 宋体 is the usual stand-in.
                chosen = _find_system_font(Face.SONG, dirs)
                if chosen is not None:
                    substituted.add(face)
        if chosen is None:
            bundled_file = BUNDLED_FONT_FILES[face]
            chosen = FontFile(bundled / bundled_file.path, bundled_file.subfont_index)
            substituted.add(face)
        primary[face] = register_font_file(chosen)
    fallback_files = [FontFile(bundled / f.path, f.subfont_index) for f in BUNDLED_FALLBACK_FILES]
    if "fallback" in overrides:
        fallback_files.insert(0, _as_font_file(overrides["fallback"]))
    font_set = FontSet(primary, [register_font_file(f) for f in fallback_files], frozenset(substituted))
    with _font_sets_lock:
        return _font_sets.setdefault(cache_key, font_set)
