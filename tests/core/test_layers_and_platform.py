import ast
import sys
from pathlib import Path

from models import platform

ROOT = Path(__file__).resolve().parents[2]


def test_core_and_reports_never_import_qt():
    offenders = []
    for folder in ("models", "reports", "cli"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n.split(".")[0] in ("PySide6", "ui") for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# ui/ talks to services only (style-by-example §4): no SQL, no op log, merge, registry or sync internals.
UI_FORBIDDEN = ("sqlalchemy", "models.merge", "models.oplog", "models.registry", "models.sync")
# Screens other helpers are moving onto services while this test was written; the lead empties this set
# at merge. Nothing may be added to it.
ALLOWED_FOR_NOW: frozenset[str] = frozenset()  # every screen talks to services only


def _imported_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)  # from models import sync
    return found


def ui_layer_offenders() -> dict[str, list[str]]:
    offenders = {}
    for path in sorted((ROOT / "ui").rglob("*.py")):
        bad = sorted({name for name in _imported_modules(path)
                      if any(name == f or name.startswith(f + ".") for f in UI_FORBIDDEN)})
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    return offenders


def test_ui_reaches_the_database_only_through_services():
    offenders = ui_layer_offenders()
    assert {path: names for path, names in offenders.items() if path not in ALLOWED_FOR_NOW} == {}


def test_the_layer_check_catches_every_import_shape(tmp_path, monkeypatch):
    fake_root = tmp_path / "repo"
    (fake_root / "ui").mkdir(parents=True)
    (fake_root / "ui" / "a.py").write_text("from sqlalchemy.orm import Session\n", encoding="utf-8")
    (fake_root / "ui" / "b.py").write_text("import models.oplog\n", encoding="utf-8")
    (fake_root / "ui" / "c.py").write_text("from models import sync\n", encoding="utf-8")
    (fake_root / "ui" / "d.py").write_text("from models.services.sync import list_peers\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    assert sorted(ui_layer_offenders()) == ["ui/a.py", "ui/b.py", "ui/c.py"]


def test_nothing_reads_the_shared_folder_at_run_time():
    for folder in ("models", "reports", "ui", "cli"):
        for path in (ROOT / folder).rglob("*.py"):
            assert "shared/seeds" not in path.read_text(encoding="utf-8"), path


def test_windows_data_folder_is_per_user_appdata(monkeypatch):
    monkeypatch.delenv("FJLD_DATA_DIR")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", r"C:\Users\张三\AppData\Roaming")
    assert str(platform.user_data_dir()).endswith("FujianLiandong")
    assert "张三" in str(platform.user_data_dir())
    monkeypatch.setenv("WINDIR", r"C:\Windows")
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\张三\AppData\Local")
    dirs = [str(d) for d in platform.system_font_dirs()]
    assert dirs[0].endswith("Fonts") and "Microsoft" in dirs[1]


def test_linux_data_folder_follows_xdg_and_the_override_wins(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("FJLD_DATA_DIR", str(tmp_path / "覆盖"))
    assert platform.user_data_dir() == tmp_path / "覆盖"
    monkeypatch.delenv("FJLD_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert platform.default_db_path() == tmp_path / "xdg" / "FujianLiandong" / "fjld.db"


def test_resources_are_found_inside_a_frozen_bundle(monkeypatch, tmp_path):
    assert (platform.resources_dir() / "demo" / "tasklist_2022.json").exists()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert platform.resources_dir() == tmp_path / "resources"


def test_windows_pins_the_credential_manager_and_other_systems_use_keyrings_choice(monkeypatch, memory_keyring):
    from keyring.backends.Windows import WinVaultKeyring
    assert platform.credential_store() is memory_keyring
    monkeypatch.setattr(sys, "platform", "win32")
    assert isinstance(platform.credential_store(), WinVaultKeyring)
