"""Fixtures shared by the sync tests."""
from __future__ import annotations

import pytest

from tests.sync.workstations import paired_sites


@pytest.fixture
def trio(tmp_path):
    """Three workstations a, b, c, each paired with the others."""
    sites = paired_sites(tmp_path, ("a", "b", "c"))
    yield sites
    for site in sites:
        site.close()
