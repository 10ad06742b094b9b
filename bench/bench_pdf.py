"""Speed of the formal-PDF renderer next to bare reportlab in the same run.

    python bench/bench_pdf.py [--batch 500]

Prints ms per 检察建议书, pages/s for a batch of suggestions in one file, and the same numbers for
bare reportlab drawing the same lines of text with drawString (same fonts, same page count, no
layout, no fallback): the ratio is the cost of the GB/T 9704 layout engine (target <= 3x).
Then ms per .docx next to ms per PDF for each of the four documents (reports.docx, python-docx).
"""
from __future__ import annotations

import argparse
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "reports_pdf"))

import samples  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from reports.docx import render_docx  # noqa: E402
from reports.pdf import RenderOptions, render_batch, render_pdf  # noqa: E402
from reports.pdf.fonts import Face, load_fonts  # noqa: E402
from reports.pdf.geometry import BLOCK_LEFT, PAGE_HEIGHT, PAGE_WIDTH, band_top  # noqa: E402
from reports.pdf.letters import suggestion_pages  # noqa: E402
from reports.pdf.typeset import Typesetter  # noqa: E402

OPTIONS = RenderOptions(system_font_dirs=())


def page_texts(letter) -> list[list[str]]:
    """The lines our engine puts on each page, to give bare reportlab the same text."""
    pages = suggestion_pages(Typesetter(load_fonts(system_dirs=())), letter)
    return [["".join(getattr(m, "text", "") for m in row.marks) for _, row in page.rows] for page in pages]


def bare_reportlab(pages: list[list[str]], copies: int) -> bytes:
    font = load_fonts(system_dirs=()).primary[Face.FANGSONG]
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), initialFontName=font)
    for _ in range(copies):
        for lines in pages:
            canvas.setFont(font, 16)
            for band, line in enumerate(lines):
                canvas.drawString(BLOCK_LEFT, band_top(band) - 14, line)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def best_of(runs: int, job) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        job()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    letter = samples.suggestion_letter()
    render_pdf(letter, OPTIONS)  # warm-up: font registration and caches
    texts = page_texts(letter)
    pages_per_letter = len(texts)

    ours_one = best_of(args.runs, lambda: render_pdf(letter, OPTIONS))
    bare_one = best_of(args.runs, lambda: bare_reportlab(texts, 1))
    print(f"检察建议书 ({pages_per_letter} pages): {ours_one * 1000:.1f} ms; bare reportlab "
          f"{bare_one * 1000:.1f} ms; ratio {ours_one / bare_one:.2f}x")

    letters = [samples.suggestion_letter(doc_no=f"临检行公建〔2024〕{n}号") for n in range(1, args.batch + 1)]
    start = time.perf_counter()
    data = render_batch(letters, OPTIONS)
    ours_batch = time.perf_counter() - start
    start = time.perf_counter()
    bare_reportlab(texts, args.batch)
    bare_batch = time.perf_counter() - start
    total_pages = pages_per_letter * args.batch
    print(f"batch of {args.batch} ({total_pages} pages, {len(data) / 1e6:.1f} MB): "
          f"{total_pages / ours_batch:.0f} pages/s ({ours_batch:.2f} s); bare reportlab "
          f"{total_pages / bare_batch:.0f} pages/s ({bare_batch:.2f} s); ratio {ours_batch / bare_batch:.2f}x")

    fonts = load_fonts(system_dirs=())
    documents = {"检察建议书": letter, "送达回证": samples.service_receipt(), "督促回复函": samples.reminder_letter(),
                 "季度通报": samples.quarterly_report()}
    print("document      ms per PDF   ms per .docx   .docx size")
    for name, document in documents.items():
        render_docx(document, fonts=fonts)  # warm-up
        pdf_ms = best_of(args.runs, lambda d=document: render_pdf(d, OPTIONS)) * 1000
        docx_ms = best_of(args.runs, lambda d=document: render_docx(d, fonts=fonts)) * 1000
        size = len(render_docx(document, fonts=fonts))
        print(f"{name:<10} {pdf_ms:10.1f} {docx_ms:14.1f} {size / 1024:10.0f} KB")


if __name__ == "__main__":
    main()
