"""models/rules holds pure functions: no Qt, no database, no reading of /work/shared."""
from __future__ import annotations

import ast
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parents[2] / "models" / "rules"
FORBIDDEN_ROOTS = {"PySide6", "sqlalchemy", "sqlcipher3", "reportlab", "openpyxl"}


def _imported_roots(source: str) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_rule_modules_import_no_gui_or_storage_library() -> None:
    modules = sorted(RULES_DIR.glob("*.py"))
    assert len(modules) >= 5
    for module in modules:
        source = module.read_text(encoding="utf-8")
        assert not _imported_roots(source) & FORBIDDEN_ROOTS, module.name
        assert "/work/shared" not in source, module.name
