#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ios_crypto_config
short_description: Render a host's IPsec VPN plan for Cisco IOS, or converge the device on it
version_added: 0.1.0
description:
  - Takes one host's plan (from M(ipsec.vpn.plan)) and renders the device's complete intended IPsec configuration
    from it, without recomputing anything the plan decides - crypto ACLs, IKEv1 policies and keys, IKEv2
    proposals, policy, keyring and profiles, transform sets, IPsec profiles, crypto map entries and their binding,
    GRE/VTI tunnel interfaces, EIGRP/OSPF network statements, static routes and the outside ACL.
  - With O(state=present) it reads C(show running-config) over the network_cli connection, recognises the
    collection's constructs in IOS's displayed form, and sends only the difference, in dependency order (what an
    object refers to is created first; on removal the binding goes before the object). A second run sends nothing.
  - Objects the collection owns and the intent no longer has are removed; nothing the collection did not create is
    touched. Ownership is recorded on the device by a C(description)/C(remark) starting with C(ipsec.vpn), a route
    name C(IPSEC-VPN), or a remark in the ledger ACL C(IPSEC-VPN-OWNED) for objects without a description slot
    (docs/ios.md).
  - With O(state=absent) it removes everything the collection owns and clears the crypto sessions.
  - With O(state=rendered) it only renders (no device is contacted) and can write the artifact to O(render_dir).
  - Every line is sent on its own; when the device rejects one, the task fails naming the line, the block it was
    in and the device's message, C(end) is always sent, and the commands applied before it are reverted
    (O(revert_on_error)).
  - Pre-shared keys never appear in the result, the diff or error messages (they are masked).
author:
  - ipsec.vpn developers (@ipsec-vpn)
options:
  plan:
    description:
      - The host's plan, as returned by M(ipsec.vpn.plan) in C(plan), keys included.
      - Defaults to the C(ipsec_vpn_plan) variable. Leaving it to the default keeps the keys out of the task's
        arguments, so the task need not be C(no_log) and its masked result and diff stay visible.
      - Not needed with O(state=absent).
    type: dict
  state:
    description:
      - V(present) converges the device on the plan; V(absent) removes the collection's configuration;
        V(rendered) renders only.
    type: str
    choices: [present, absent, rendered]
    default: present
  save_config:
    description:
      - Send C(write memory) after a successful change.
    type: bool
    default: false
  commit_confirm_minutes:
    description:
      - Enter configuration mode with C(configure terminal revert timer) this many minutes and send
        C(configure confirm) once every line was accepted, so that a change that cuts off the session is rolled back
        by the device. Needs the IOS C(archive) feature.
    type: int
  revert_on_error:
    description:
      - When the device rejects a line, revert the commands of this push that it had accepted (the configuration
        read before the push is put back, as far as the collection's constructs go).
    type: bool
    default: true
  verify:
    description:
      - Read the running-config again after the push and report RV(converged); a warning lists what still differs.
    type: bool
    default: true
  clear_sessions:
    description:
      - With O(state=absent), clear the crypto sessions after a change (C(clear crypto session), or C(clear crypto
        sa) and C(clear crypto isakmp) on releases without it).
    type: bool
    default: true
  running_config:
    description:
      - Compute the commands against this running-config text instead of the device. Nothing is sent.
    type: str
  render_dir:
    description:
      - With O(state=rendered), write C(<host>.cfg) (mode 0600 when it holds a pre-shared key, else 0644) into this
        folder on the controller.
    type: path
  masked_copy:
    description:
      - With O(render_dir), also write C(<host>.masked.cfg) (mode 0644) with every key replaced by C(********).
    type: bool
    default: true
notes:
  - Action plugin. The device is reached through C(ansible.netcommon.network_cli) with C(cisco.ios.ios); check
    mode reads the running-config and sends no configuration command. Diff mode shows the collection's objects
    before and after, keys masked.
  - An IOS type 6 (encrypted) key cannot be compared with the intent; it is trusted as it is.
  - The IOS role and the ownership scheme are described in C(docs/ios.md), shipped in the collection.
seealso:
  - module: ipsec.vpn.plan
"""

EXAMPLES = r"""
- name: Compute the plan
  ipsec.vpn.plan:
  register: vpn
  no_log: true

- name: Keep it as ipsec_vpn_plan
  ansible.builtin.set_fact:
    ipsec_vpn_plan: "{{ vpn.plan }}"
  no_log: true

- name: Converge the router on it (the plan is read from ipsec_vpn_plan)
  ipsec.vpn.ios_crypto_config:
    save_config: true

- name: Write the artifact without touching the device
  ipsec.vpn.ios_crypto_config:
    state: rendered
    render_dir: "{{ playbook_dir }}/build/ios"
  delegate_to: localhost

- name: Remove everything the collection configured
  ipsec.vpn.ios_crypto_config:
    state: absent
"""

RETURN = r"""
changed:
  description: Whether configuration commands were (or, in check mode, would be) sent, or files written.
  returned: always
  type: bool
commands:
  description: The configuration commands, in the order sent, keys masked.
  returned: always
  type: list
  elements: str
  sample: ["ip access-list extended VPN", "remark ipsec.vpn:r2-r3", "crypto isakmp key ******** address 202.100.1.2"]
diff:
  description: Displayed lines of the collection's objects before and after (keys masked).
  returned: with state present or absent
  type: dict
converged:
  description: True when the running-config read after the push matches the intent.
  returned: with state present or absent, when O(verify) is on
  type: bool
not_converged:
  description: Commands a further run would still send (should be empty).
  returned: when RV(converged) is false
  type: list
  elements: str
created:
  description: Objects created (their displayed header line).
  returned: with state present or absent
  type: list
  elements: str
removed:
  description: Objects removed (their displayed header line).
  returned: with state present or absent
  type: list
  elements: str
failed_command:
  description: The command the device rejected (masked).
  returned: on failure
  type: str
device_message:
  description: What the device said about it.
  returned: on failure
  type: str
reverted:
  description: Commands sent to revert the accepted part of a failed push.
  returned: on failure, with O(revert_on_error)
  type: list
  elements: str
restored:
  description: Whether the device's configuration matched the state before the push after reverting.
  returned: on failure, with O(revert_on_error)
  type: bool
cleared:
  description: The C(clear crypto ...) commands sent.
  returned: with state absent, after a change
  type: list
  elements: str
saved:
  description: Whether C(write memory) was sent.
  returned: when O(save_config) is on and something changed
  type: bool
rendered:
  description: The artifact, keys masked.
  returned: with state rendered
  type: str
has_secrets:
  description: Whether the artifact holds a pre-shared key.
  returned: with state rendered
  type: bool
files:
  description: Paths written (or that would be written) under O(render_dir).
  returned: with state rendered and O(render_dir)
  type: dict
"""
