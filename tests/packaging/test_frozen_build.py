"""The PyInstaller one-folder build works: built here on Linux (Windows builds the same spec on
Windows), then the frozen programs run headless — --version, init → demo → due → doctor on a fresh
encrypted database (SQLCipher, shipped migrations and resources), and the GUI starting offscreen."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_frozen_one_folder_app_runs_cli_and_gui():
    result = subprocess.run(["bash", str(ROOT / "scripts" / "build_frozen_check.sh"), sys.executable],
                            capture_output=True, text=True, timeout=1200, cwd=ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "fjld-cli 0.1.0" in output
    assert "检察建议 宿检行公建〔2026〕11号 待回复" in output
    assert "检查通过" in output and "frozen check passed" in output
