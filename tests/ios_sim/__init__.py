"""A stateful Cisco IOS CLI simulator for end-to-end tests (see docs/ios-simulator.md).

    from tests.ios_sim import World
    with World.from_yaml("tests/ios_sim/data/world-site-to-site.yml") as world:
        print(world.ports)          # {"R2": 40123, "R3": 40124}
        print(world.inventory())    # an Ansible inventory for network_cli
"""

# World and WorldError are resolved lazily by __getattr__ below.
__all__ = ["World", "WorldError"]  # pylint: disable=undefined-all-variable


def __getattr__(name):
    # Imported lazily so that `python -m tests.ios_sim stop` does not pay for importing paramiko.
    if name in __all__:
        from . import world

        return getattr(world, name)
    raise AttributeError(name)
