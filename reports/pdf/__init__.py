"""Formal PDF documents (GB/T 9704-2012 geometry): 检察建议书, 送达回证, 督促回复函, 季度通报.

Content (`content`, built by `builders`) is kept apart from drawing (`render`); reports.docx writes
the same content objects as editable Word files.
"""
from reports.pdf.render import RenderOptions, render_batch, render_pdf

__all__ = ["RenderOptions", "render_batch", "render_pdf"]
