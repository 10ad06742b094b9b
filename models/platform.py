"""Everything that differs between Windows and Linux lives here, and only here."""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "FujianLiandong"  # folder name under the per-user data root


def user_data_dir() -> Path:
    """Per-user, writable without admin rights: %APPDATA%\\FujianLiandong on Windows,
    $XDG_DATA_HOME/FujianLiandong (~/.local/share) elsewhere. FJLD_DATA_DIR overrides (tests, IT)."""
    override = os.environ.get("FJLD_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP_DIR_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR_NAME


def default_db_path() -> Path:
    return user_data_dir() / "fjld.db"


def system_font_dirs() -> list[Path]:
    """Where office fonts live: C:\\Windows\\Fonts plus the per-user font folder Windows 10 1809+
    uses for fonts installed without admin rights; the usual folders on Linux."""
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        dirs = [Path(windir) / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts",
            Path.home() / ".fonts"]


def resources_dir() -> Path:
    """resources/ next to the code, or inside a PyInstaller bundle (sys._MEIPASS)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def credential_store():  # type: ignore[no-untyped-def]
    """Where "remember on this computer" keeps its secret. On Windows the Credential Manager backend is
    pinned: an installed third-party backend (e.g. keyrings.alt's plaintext file) could otherwise win
    keyring's priority vote. Elsewhere, whatever keyring chose (tests install an in-memory one)."""
    import keyring

    if sys.platform == "win32":
        from keyring.backends.Windows import WinVaultKeyring

        return WinVaultKeyring()
    return keyring.get_keyring()
