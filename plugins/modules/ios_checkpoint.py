#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ios_checkpoint
short_description: Take an IOS archive point before a change, or roll the device back to it
version_added: 0.1.0
description:
  - With O(state=created), saves the running configuration as a new file of the IOS configuration archive
    (C(archive config)) and returns the checkpoint, that is the archive file's name and a fingerprint of the
    configuration it holds (SHA-256 over the running configuration with every key masked; no key leaves the
    device).
  - With O(state=restored), runs C(configure replace <file> force) to go back to that checkpoint, then reads the
    running configuration again and fails unless it matches the checkpoint's fingerprint. Nothing is sent when the
    device already matches it. The result lists, keys masked, which lines the rollback removed and put back.
  - The whole configuration returns to the checkpoint, so a change somebody else made on the device after the
    checkpoint is undone too; RV(undone) shows it.
  - Needs the IOS archive (C(archive) with a C(path)) configured on the device; fails clearly without it.
author:
  - ipsec.vpn developers (@ipsec-vpn)
options:
  state:
    description:
      - C(created) takes a new archive point; C(restored) rolls back to O(checkpoint).
    type: str
    choices: [created, restored]
    default: created
  checkpoint:
    description:
      - The RV(checkpoint) returned by O(state=created) (needed for O(state=restored)).
    type: dict
    suboptions:
      archive:
        description: Name of the archive file, for example C(flash:archive-3).
        type: str
      fingerprint:
        description: SHA-256 of the masked running configuration at the checkpoint.
        type: str
      lines:
        description: Number of configuration lines at the checkpoint.
        type: int
  save_config:
    description:
      - After a rollback, send C(write memory), so that a reload does not bring the rolled-back change back.
    type: bool
    default: false
notes:
  - Action plugin over C(ansible.netcommon.network_cli); check mode takes no archive point and sends no
    C(configure replace).
seealso:
  - module: ipsec.vpn.ios_crypto_config
"""

EXAMPLES = r"""
- name: Take an archive point before the push
  ipsec.vpn.ios_checkpoint:
    state: created
  register: before_push

- name: Roll back to it
  ipsec.vpn.ios_checkpoint:
    state: restored
    checkpoint: "{{ before_push.checkpoint }}"
    save_config: true
"""

RETURN = r"""
checkpoint:
  description: With O(state=created), the archive point.
  returned: success with O(state=created)
  type: dict
  sample:
    archive: flash:archive-3
    fingerprint: 5f2c0d5e0b7a4e9b0c0f5a1d9e3b6c2a8f4d7e1b0a9c8d7e6f5a4b3c2d1e0f9a
    lines: 84
archive:
  description: With O(state=restored), the archive file rolled back to.
  returned: O(state=restored)
  type: str
restored:
  description: With O(state=restored), whether the device matches the checkpoint afterwards.
  returned: O(state=restored)
  type: bool
undone:
  description: Lines the rollback removed or changed away from (keys masked).
  returned: O(state=restored)
  type: list
  elements: str
put_back:
  description: Lines the rollback put back (keys masked).
  returned: O(state=restored)
  type: list
  elements: str
saved:
  description: Whether C(write memory) was sent after the rollback.
  returned: when O(save_config=true) and the device was rolled back
  type: bool
"""
