"""Fixtures shared by the sync tests."""
from __future__ import annotations

import pytest

from tests.sync.workstations import paired_sites


def _sites(tmp_path, names: tuple[str, ...]):
    sites = paired_sites(tmp_path, names)
    yield sites
    for site in sites:
        site.close()


@pytest.fixture
def trio(tmp_path):
    """Three workstations a, b, c, each paired with the others."""
    yield from _sites(tmp_path, ("a", "b", "c"))


@pytest.fixture
def pair(tmp_path):
    """Two workstations a and b, paired with each other."""
    yield from _sites(tmp_path, ("a", "b"))
