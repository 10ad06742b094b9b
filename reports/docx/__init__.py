"""Editable Word (.docx) versions of the formal documents, written from the same content objects
(reports.pdf.content) and the same GB/T 9704 geometry (reports.pdf.geometry) as the PDFs."""
from reports.docx.render import DocxOptions, render_docx, render_docx_batch

__all__ = ["DocxOptions", "render_docx", "render_docx_batch"]
