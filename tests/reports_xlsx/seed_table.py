"""Reads the text rendering of the seed 2022 task list (fixtures/seed001_table.txt, a copy of the table part
of seeds/001) into rows of cell texts, and (run as a script) writes resources/demo/tasklist_2022.json.

The rendering puts one cell per line ending in " |", a lone "|" for an empty cell, and repeats the current
方面 heading after each page break: those repeats are page artefacts and are dropped here.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reports.xlsx.circled import join_grouped, normalise_cell, split_grouped, split_measures  # noqa: E402

FIXTURE = Path(__file__).with_name("fixtures") / "seed001_table.txt"
ASPECT = re.compile(r"^[一二三四五六七八九十]+、")
TASK = re.compile(r"^(\d+)\.")


@dataclass(frozen=True)
class SeedTaskRow:
    aspect: str  # "一、重大改革推进方面" as printed
    task: str  # "1.依法妥善…"
    measures: str
    deadlines: str
    units: str


def read_seed_rows(path: Path = FIXTURE) -> tuple[str, list[SeedTaskRow]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    title = lines[1].strip()
    cells = [line[:-1].strip() for line in lines[2:] if line.endswith("|")]
    filled = [cell for cell in cells[5:] if cell]  # skip the header row; empty cells are 进展情况 or page gaps
    rows: list[SeedTaskRow] = []
    aspect = ""
    index = 0
    while index < len(filled):
        cell = filled[index]
        if ASPECT.match(cell):
            aspect = cell
            index += 1
        elif TASK.match(cell):
            rows.append(SeedTaskRow(aspect, cell, *filled[index + 1:index + 4]))
            index += 4
        else:
            raise ValueError(f"unexpected cell: {cell}")
    return title, rows


def read_seed_sheet_rows(path: Path = FIXTURE) -> list[list[str]]:
    """The table as printed, page artefacts included: blank rows and repeated 方面 headings stay."""
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = [line[:-1].strip() for line in lines[2:] if line.endswith("|")][5:]
    rows: list[list[str]] = []
    index = 0
    while index < len(cells):
        if TASK.match(cells[index]):
            rows.append(cells[index:index + 5])
            index += 5
        else:
            rows.append([cells[index]])
            index += 1
    return rows


def seed_as_json() -> dict[str, object]:
    title, rows = read_seed_rows()
    aspects: list[dict[str, object]] = []
    for row in rows:
        aspect_title = ASPECT.sub("", row.aspect)
        if not aspects or aspects[-1]["title"] != aspect_title:
            aspects.append({"title": aspect_title, "tasks": []})
        texts = split_measures(row.measures)
        deadlines = split_grouped(row.deadlines, len(texts))
        units = split_grouped(row.units, len(texts))
        match = TASK.match(row.task)
        assert match is not None
        task: dict[str, object] = {
            "number": int(match.group(1)),
            "text": row.task[match.end():],
            "measures": [{"text": text, "deadline": deadline, "units": unit}
                         for text, deadline, unit in zip(texts, deadlines, units)],
        }
        # Keep the published grouping only where it differs from the canonical one (task 2 writes
        # "②市检察院、市公安局 ③市检察院、市公安局" instead of "②③…").
        for key, cell, values in (("deadlines_cell", row.deadlines, deadlines), ("units_cell", row.units, units)):
            if normalise_cell(join_grouped(values)) != normalise_cell(cell):
                task[key] = cell
        aspects[-1]["tasks"].append(task)  # type: ignore[union-attr]
    year = int(re.match(r"\d{4}", title).group())  # type: ignore[union-attr]
    return {"year": year, "title": title, "aspects": aspects}


if __name__ == "__main__":
    target = ROOT / "resources" / "demo" / "tasklist_2022.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(seed_as_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(target)
