#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: plan
short_description: Compute one host's IPsec VPN plan from the collection's intent
version_added: 0.1.0
description:
  - Validates the whole C(ipsec_vpn_intent), cross-checks both ends of every tunnel and returns the plan of one
    host, that is its tunnels with IOS-ready and strongSwan-ready crypto, crypto ACLs, device-level IOS objects, routes,
    the outside ACL and the cross-check verdicts. The plan's schema is C(docs/plan.md) of the collection.
  - Runs entirely on the controller and never connects to the host.
  - The plan depends only on the intent, the host's name and the host's own management address and port, never
    on other hosts' variables, so C(--limit) and job slicing give every host the same plan.
  - Fails, listing every problem with its exact path in the intent, when the intent is invalid or a cross-peer check
    fails (unless the intent sets C(unsafe_skip_crosscheck), an unsafe switch for tests that warns on every run), or
    when the lockout guard finds that the change would cut off the management connection.
  - The result holds pre-shared keys, so it is marked C(no_log) and the callback shows nothing but warnings; use
    RV(plan_masked) to print or store the plan.
author:
  - ipsec.vpn developers (@ipsec-vpn)
options:
  intent:
    description:
      - The intent. Defaults to the C(ipsec_vpn_intent) variable. Field reference in C(docs/intent.md).
    type: dict
  host:
    description:
      - Inventory hostname to plan. Defaults to C(inventory_hostname).
    type: str
  hosts:
    description:
      - Plan all of these inventory hosts in one go, for a task that runs once per play (C(run_once)); the
        C(ipsec.vpn.plan) role passes C(ansible_play_hosts_all).
      - The intent is templated and validated once; each host's lockout guard reads that host's own C(ansible_host)
        and C(ansible_port), so each plan equals the one a per-host task computes. A host whose raw
        C(ipsec_vpn_intent) differs from the others' is planned from its own.
      - Fails when any listed host is refused, listing every problem once and naming the refused hosts; with
        C(run_once) that fails every host of the play.
      - Returns RV(plans) and RV(plans_masked) instead of RV(plan) and RV(plan_masked). Cannot be combined with
        O(host) or O(management).
    type: list
    elements: str
  now:
    description:
      - The time at which certificate validity is checked (certificate profiles only), as ISO 8601 with a zone,
        for example C(2026-06-01T00:00:00+00:00). Defaults to the variable C(ipsec_vpn_now), else the controller's
        clock. The check is a step after planning; the plan itself never depends on the time.
      - File inputs of the intent (C(gateways.<host>.pki.*_file)) are read on the controller before planning;
        relative paths are taken from the directory C(ansible-playbook) runs in.
    type: str
  management:
    description:
      - How Ansible reaches the host, for the lockout guard. Defaults to the host's own C(ansible_host) and
        C(ansible_port). Values set under C(gateways.<host>.management) in the intent take precedence.
    type: dict
    suboptions:
      address:
        description: Address Ansible connects to.
        type: str
      port:
        description: TCP port of the management connection.
        type: int
      interface:
        description: Interface the management connection arrives on.
        type: str
      controller:
        description: Address or prefix Ansible connects from.
        type: str
      allow_lockout:
        description: Downgrade a lockout refusal to a warning.
        type: bool
notes:
  - Action plugin; check mode is supported and changes nothing either way.
  - The intent's field reference is C(docs/intent.md) and the plan's schema C(docs/plan.md), both shipped in the
    collection.
"""

EXAMPLES = r"""
- name: Plan this host from ipsec_vpn_intent
  ipsec.vpn.plan:
  register: vpn

- name: Show the plan without its pre-shared keys
  ansible.builtin.debug:
    var: vpn.plan_masked

- name: Plan every host of the play once (what the ipsec.vpn.plan role does)
  ipsec.vpn.plan:
    hosts: "{{ ansible_play_hosts_all }}"
  register: vpn_all
  run_once: true

- name: Plan with an explicit management endpoint
  ipsec.vpn.plan:
    management:
      address: 10.255.0.2
      port: 22
      interface: GigabitEthernet0
  register: vpn
"""

RETURN = r"""
plan:
  description:
    - The host's plan, including pre-shared keys. Treat as secret and C(no_log) every task that uses it.
  returned: success
  type: dict
  sample:
    schema_version: 1
    host: R2
    kind: gateway
    platform: ios
    warnings: []
    tunnels: []
    routes: []
    checks: []
plan_masked:
  description: The same plan with every pre-shared key, private key and certificate body replaced by C(********).
  returned: success
  type: dict
plans:
  description:
    - With O(hosts), a dictionary of host name to plan for every listed host, including pre-shared keys.
  returned: success with O(hosts)
  type: dict
plans_masked:
  description: With O(hosts), the same plans with every pre-shared key replaced by C(********).
  returned: success with O(hosts)
  type: dict
hosts:
  description: With O(hosts), the hosts planned, sorted.
  returned: success with O(hosts)
  type: list
  elements: str
refused_hosts:
  description: With O(hosts), the hosts whose own checks (the lockout guard) refused them.
  returned: failure with O(hosts)
  type: list
  elements: str
certificate_warnings:
  description: Certificates of this host or its certificate peers that expire within the warning threshold.
  returned: success
  type: list
  elements: dict
warnings:
  description: Warnings of the plan (weak crypto accepted, IOS-XE refusals, skipped cross-checks, ...).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found, each with the path inside the intent, a message and a code.
  returned: failure
  type: list
  elements: dict
  sample:
    - path: tunnels[0].b.networks[0]
      message: "'10.0.0.300/24' is not an IPv4/IPv6 network"
      code: INVALID
"""
