"""Render each document once per module as .docx and as PDF, and convert all the .docx files with
one `libreoffice --headless --convert-to pdf` call (private profile, the bundled fonts mapped to
the East Asian names the .docx asks for), so the slow conversion happens once."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reports_pdf"))

import samples  # noqa: E402

from reports.docx import render_docx  # noqa: E402
from reports.pdf import RenderOptions, render_pdf  # noqa: E402

RARE = "堃喆玥䶮𬌗"
LONG_FACTS = (("本院在履行公益诉讼检察职责中发现有关行政机关未依法全面履行监督管理职责致使国家利益和社会公共"
               "利益持续受到侵害") * 24 + "。\n"
              "经走访群众王堃、李喆、张玥、刘䶮、陈𬌗等人，核实上述情况属实。")
FONT_ALIASES = {"Times New Roman": "AR PL SungtiL GB", "仿宋": "AR PL SungtiL GB", "宋体": "AR PL SungtiL GB", "方正小标宋简体": "AR PL SungtiL GB",
                "楷体": "AR PL KaitiM GB", "黑体": "WenQuanYi Micro Hei"}


@dataclass(frozen=True)
class Converted:
    docx: Path  # the .docx we wrote
    pdf: Path  # LibreOffice's rendering of it
    reference: Path  # our own PDF of the same content
    content: object


def documents() -> dict[str, object]:
    return {"suggestion": samples.suggestion_letter(), "receipt": samples.service_receipt(),
            "reminder": samples.reminder_letter(), "quarterly": samples.quarterly_report(),
            "long": samples.suggestion_letter(facts=LONG_FACTS, origin="", legal_basis="", copy_to=())}


def _fontconfig(folder: Path) -> Path:
    aliases = "".join(f"<alias binding=\"same\"><family>{k}</family><prefer><family>{v}</family></prefer></alias>"
                      for k, v in FONT_ALIASES.items())
    conf = folder / "fonts.conf"
    conf.write_text("<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>"
                    "<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>"
                    f"<dir>{ROOT / 'resources' / 'fonts'}</dir><cachedir>{folder / 'cache'}</cachedir>"
                    f"{aliases}</fontconfig>", encoding="utf-8")
    return conf


@pytest.fixture(scope="session")
def converted(tmp_path_factory) -> dict[str, Converted]:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "LibreOffice is needed (dev.py APT_TEST_PACKAGES: libreoffice-writer-nogui)"
    folder = tmp_path_factory.mktemp("docx")
    result: dict[str, Converted] = {}
    for name, content in documents().items():
        (folder / f"{name}.docx").write_bytes(render_docx(content))
        (folder / f"{name}.ref.pdf").write_bytes(render_pdf(content, RenderOptions(system_font_dirs=())))
        result[name] = Converted(folder / f"{name}.docx", folder / "out" / f"{name}.pdf",
                                 folder / f"{name}.ref.pdf", content)
    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(folder))}
    subprocess.run([office, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(folder / "out"), *[str(c.docx) for c in result.values()]],
                   check=True, capture_output=True, env=env, timeout=300)
    for item in result.values():
        assert item.pdf.exists(), item.pdf
    return result
