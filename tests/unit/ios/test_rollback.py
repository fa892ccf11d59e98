"""rollback.checkpoint / rollback.restore against an in-process simulated router: an archive point before a push,
`configure replace` back to it, and the failures named."""

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import push, rollback
from ios_render_helpers import seed_psk
from test_push import SimDevice, want, world

PSK_IN_SEED = seed_psk("site_to_site")


def body(lab, host="R2"):
    """running-config without the header lines that change with every change."""
    return lab.run(host, "show running-config").split("\n", 5)[5]


def test_checkpoint_push_restore_gives_back_the_exact_configuration():
    lab = world(archive=True)
    lab.run("R2", "configure terminal", "ip access-list extended CUSTOMER", "permit ip any any", "end")
    before = body(lab)
    device = SimDevice(lab, "R2")
    point = rollback.checkpoint(device, host="R2")
    assert point["archive"] == "flash:archive-1"
    assert "archive config" in device.sent
    assert len(point["fingerprint"]) == 64 and PSK_IN_SEED not in str(point)
    push.converge(device, want(), save=True)
    assert "crypto map MYMAP 100 ipsec-isakmp" in body(lab)
    result = rollback.restore(SimDevice(lab, "R2"), point, save=True, host="R2")
    assert result["changed"] and result["restored"] and result["saved"]
    assert body(lab) == before
    # what the rollback undid is listed, keys masked
    assert "crypto map MYMAP 100 ipsec-isakmp" in result["undone"]
    assert "crypto isakmp key ******** address 202.100.1.2" in result["undone"]
    assert PSK_IN_SEED not in str(result)
    assert "crypto map MYMAP 100" not in lab.run("R2", "show startup-config")
    # at the archive point already: nothing is sent
    again = SimDevice(lab, "R2")
    assert rollback.restore(again, point)["changed"] is False
    assert not [line for line in again.sent if line.startswith("configure")]


def test_restore_in_check_mode_only_reads():
    lab = world(archive=True)
    point = rollback.checkpoint(SimDevice(lab, "R2"))
    push.converge(SimDevice(lab, "R2"), want())
    device = SimDevice(lab, "R2")
    result = rollback.restore(device, point, check_mode=True)
    assert result["changed"] is True and result["restored"] is False
    assert device.sent == ["show running-config"]
    assert "crypto map MYMAP 100" in body(lab)


def test_no_archive_no_checkpoint():
    lab = world(archive=False)
    with pytest.raises(rollback.RollbackError) as caught:
        rollback.checkpoint(SimDevice(lab, "R2"), host="R2")
    assert caught.value.msg.startswith("R2: no archive point can be taken: the IOS archive is not configured")


def test_an_archive_file_that_is_gone_is_named():
    lab = world(archive=True)
    lab.run("R2", "configure terminal", "archive", "maximum 1", "end")
    point = rollback.checkpoint(SimDevice(lab, "R2"))
    lab.run("R2", "archive config")  # pushes the point's file out of the archive (maximum 1)
    push.converge(SimDevice(lab, "R2"), want())
    with pytest.raises(rollback.RollbackError) as caught:
        rollback.restore(SimDevice(lab, "R2"), point, host="R2")
    assert "R2: 'configure replace flash:archive-1 force' was refused" in caught.value.msg
    assert "%Error opening flash:archive-1 (No such file or directory)" in caught.value.msg


class _Stubborn(SimDevice):
    """A device that answers `configure replace` as done but changes nothing."""

    def send(self, line):
        if line.startswith("configure replace"):
            self.sent.append(line)
            return "Total number of passes: 1\nRollback Done\n"
        return super(_Stubborn, self).send(line)


def test_a_replace_that_leaves_the_device_different_is_a_failure():
    lab = world(archive=True)
    point = rollback.checkpoint(SimDevice(lab, "R2"))
    push.converge(SimDevice(lab, "R2"), want())
    with pytest.raises(rollback.RollbackError) as caught:
        rollback.restore(_Stubborn(lab, "R2"), point)
    assert "did not bring the device back to its archive point" in caught.value.msg
    assert "still differs from flash:archive-1" in caught.value.msg
    assert caught.value.result["restored"] is False


def test_fingerprint_ignores_header_lines_and_never_holds_a_key():
    text = ("Building configuration...\n\nCurrent configuration : 100 bytes\n!\n! Last configuration change at x\n"
            "crypto isakmp key s3cr3t-k address 10.0.0.1\n")
    other = text.replace("change at x", "change at y").replace("100 bytes", "120 bytes")
    assert rollback.fingerprint(text) == rollback.fingerprint(other)
    assert rollback.masked_lines(text) == ["!", "crypto isakmp key ******** address 10.0.0.1"]
    assert rollback.fingerprint(text) != rollback.fingerprint(text.replace("10.0.0.1", "10.0.0.2"))
