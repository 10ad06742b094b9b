"""Render each document once per test session (with the bundled fonts only, so results do not
depend on the machine's font folders) and hand the bytes and a file path to the tests."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import samples  # noqa: E402

from reports.pdf import RenderOptions, render_pdf  # noqa: E402
from reports.pdf.fonts import FontSet, load_fonts  # noqa: E402

BUNDLED_ONLY = RenderOptions(system_font_dirs=())

# 3 pages of unpunctuated body text: every full line must hold exactly 28 characters.
PLAIN_TEXT = ("本院在履行公益诉讼检察职责中发现有关行政机关未依法全面履行监督管理职责致使国家利益和社会公共"
              "利益持续受到侵害") * 24 + "。"


@dataclass(frozen=True)
class Rendered:
    data: bytes
    path: Path


def _render(document, folder: Path, name: str, options: RenderOptions = BUNDLED_ONLY) -> Rendered:
    data = render_pdf(document, options)
    path = folder / f"{name}.pdf"
    path.write_bytes(data)
    return Rendered(data, path)


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="session")
def bundled_fonts() -> FontSet:
    return load_fonts(system_dirs=())


@pytest.fixture(scope="session")
def suggestion_letter():
    return samples.suggestion_letter()


@pytest.fixture(scope="session")
def suggestion_pdf(pdf_dir, suggestion_letter) -> Rendered:
    return _render(suggestion_letter, pdf_dir, "suggestion")


@pytest.fixture(scope="session")
def plain_letter():
    return samples.suggestion_letter(facts=PLAIN_TEXT, origin="", legal_basis="", copy_to=())


@pytest.fixture(scope="session")
def plain_pdf(pdf_dir, plain_letter) -> Rendered:
    return _render(plain_letter, pdf_dir, "plain")


@pytest.fixture(scope="session")
def receipt_pdf(pdf_dir) -> Rendered:
    return _render(samples.service_receipt(), pdf_dir, "receipt")


@pytest.fixture(scope="session")
def reminder_pdf(pdf_dir) -> Rendered:
    return _render(samples.reminder_letter(), pdf_dir, "reminder")


@pytest.fixture(scope="session")
def quarterly_report():
    return samples.quarterly_report()


@pytest.fixture(scope="session")
def quarterly_pdf(pdf_dir, quarterly_report) -> Rendered:
    return _render(quarterly_report, pdf_dir, "quarterly")
