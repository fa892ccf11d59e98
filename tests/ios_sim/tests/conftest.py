import pytest

from ..world import World
from .seed import SEED_R2, SEED_R3, WORLD_FILE, configure


@pytest.fixture
def world():
    """The two-router world, not listening on SSH (commands run in-process)."""
    return World.from_yaml(WORLD_FILE)


@pytest.fixture
def seeded(world):
    """The world with the seed config on R2 and its mirror on R3 (no SA yet: crypto maps wait for traffic)."""
    for device, text in (("R2", SEED_R2), ("R3", SEED_R3)):
        output = configure(world, device, text)
        assert "Invalid" not in output and "Incomplete" not in output, output
    return world
