"""Fixtures shared by the unit tests of the GX gates (test_quality, test_marts_gate, test_gate_chunks)."""

from __future__ import annotations

import pytest
from fixtures.quality_zone import use_small_taxonomy


@pytest.fixture
def gx_settings(settings):
    """Settings with the small taxonomy the gate tests' scored rows use."""
    return use_small_taxonomy(settings)
