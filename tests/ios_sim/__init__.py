"""A stateful Cisco IOS CLI simulator for end-to-end tests (see docs/ios-simulator.md).

    from tests.ios_sim import World
    with World.from_yaml("tests/ios_sim/data/world-site-to-site.yml") as world:
        print(world.ports)          # {"R2": 40123, "R3": 40124}
        print(world.inventory())    # an Ansible inventory for network_cli
"""

from .world import World, WorldError

__all__ = ["World", "WorldError"]
