#!/usr/bin/env bash
# Builds the one-folder app with PyInstaller and runs the frozen program headless:
#   --version, a CLI round trip on a fresh encrypted database (init → demo → due → doctor, which
#   exercises SQLCipher, the shipped alembic migrations and resources/), and the GUI under the
#   offscreen platform (a set-up that never gets input is cancelled after a few seconds).
# Usage: scripts/build_frozen_check.sh [python]   (the python must have pyinstaller==6.22.3 installed)
set -euo pipefail
PY="${1:-python}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
"$PY" -m PyInstaller --noconfirm --clean --distpath "$WORK/dist" --workpath "$WORK/build" pyinstaller.spec
APP="$WORK/dist/fjld"
du -sh "$APP"
export FJLD_DATA_DIR="$WORK/data" FJLD_PASSWORD="Frozen-check-2026" QT_QPA_PLATFORM=offscreen
export FJLD_ARGON2_MEMORY_KIB=8192 FJLD_ARGON2_TIME=1
"$APP/fjld-cli" --version
"$APP/fjld-cli" init --office "宿州市人民检察院" --code "宿检" | head -1
"$APP/fjld-cli" demo --today 2026-11-23
"$APP/fjld-cli" due --today 2026-11-23 | head -3
"$APP/fjld-cli" doctor
# GUI: must start, build its first dialog and stay up until killed (exit 124 from timeout = it ran).
set +e
timeout 8 "$APP/fjld" --db "$WORK/gui/fjld.db"
status=$?
set -e
if [ "$status" -ne 124 ]; then echo "GUI exited early with status $status"; exit 1; fi
echo "frozen check passed"
