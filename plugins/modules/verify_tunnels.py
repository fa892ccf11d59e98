#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: verify_tunnels
short_description: Judge whether every planned IPsec tunnel of a host is up, and say why not
version_added: 0.1.0
description:
  - Compares one host's plan (from M(ipsec.vpn.plan)) with the output of the device's show commands and returns, for
    every tunnel of the plan, whether phase 1 is up (C(QM_IDLE), C(READY) or C(ESTABLISHED)), whether phase 2 is up
    with the planned selectors, and, when a read before traffic probes is given, whether the encrypt/decrypt counters
    grew.
  - Every tunnel that is down gets a cause code and a probable cause (for example C(P1_MM_KEY_EXCH), a pre-shared key
    mismatch). The table is in C(docs/verify.md) of the collection.
  - Each command's output is read once and indexed by peer, so a hub with 1,000 tunnels costs one show command per
    read, not one per tunnel.
  - Runs on the controller and never connects to the host. Sets the host fact C(ipsec_vpn_verify).
author:
  - ipsec.vpn developers (@ipsec-vpn)
options:
  plan:
    description:
      - The host's plan, as returned by M(ipsec.vpn.plan). The masked plan (C(plan_masked)) is enough; no
        pre-shared key is read or returned.
    type: dict
    required: true
  outputs:
    description:
      - The read taken after the probes (or the only read), as a mapping of the command as typed to its output.
      - IOS needs C(show crypto ipsec sa) plus C(show crypto isakmp sa) (IKEv1 tunnels) and/or
        C(show crypto ikev2 sa) (IKEv2 tunnels); strongSwan needs C(swanctl --list-sas) (C(--raw) works too).
      - An output may be the text (a string or a list of lines) or the dict the matching C(ipsec.vpn.parse_*) filter
        returns.
      - May be empty for a host whose plan has no tunnels.
    type: dict
    default: {}
  before:
    description:
      - The same read taken before the traffic probes. Without it, traffic is not judged.
    type: dict
  probes:
    description:
      - The probes that were sent between the two reads, usually the C(results) of a loop over
        P(ipsec.vpn.verify_probe_targets#filter) (each result's C(item) is the target; C(stdout) or C(msg) and C(rc)
        are read).
      - Plain dicts with C(tunnel), C(source), C(destination), C(command), C(output) and C(rc) work too. A target whose
        C(command) is null, or a skipped loop item, counts as not sent.
    type: list
    elements: raw
  diagnoses:
    description:
      - For strongSwan, the C(results) of a loop that ran C(swanctl --initiate) once for each down tunnel (each
        result's C(item) is the tunnel from the plan; C(stdout) and C(stderr) are read). charon's account of that
        exchange then names the cause (for example the peer's AUTHENTICATION_FAILED, an untrusted certificate, a
        refused proposal or no answer); the SA-based cause stays in the tunnel's C(detail).
    type: list
    elements: raw
  fail_on_down:
    description:
      - Fail the task when a tunnel is down. The C(verify) role leaves this off, writes the report first and fails
        afterwards.
    type: bool
    default: false
notes:
  - Action plugin; check mode is supported (nothing is changed either way).
seealso:
  - module: ipsec.vpn.verify_report
  - module: ipsec.vpn.plan
"""

EXAMPLES = r"""
- name: Read the SAs
  cisco.ios.ios_command:
    commands:
      - show crypto isakmp sa
      - show crypto ipsec sa
  register: sas

- name: Judge the tunnels of this router
  ipsec.vpn.verify_tunnels:
    plan: "{{ vpn.plan_masked }}"
    outputs:
      show crypto isakmp sa: "{{ sas.stdout[0] }}"
      show crypto ipsec sa: "{{ sas.stdout[1] }}"
    fail_on_down: true

- name: strongSwan, with counters read before and after the probes
  ipsec.vpn.verify_tunnels:
    plan: "{{ vpn.plan_masked }}"
    before:
      swanctl --list-sas: "{{ first_read.stdout }}"
    outputs:
      swanctl --list-sas: "{{ second_read.stdout }}"
    probes: "{{ probe_loop.results }}"
"""

RETURN = r"""
verify:
  description: The verdict (also set as the host fact C(ipsec_vpn_verify)).
  returned: success
  type: dict
  contains:
    status:
      description: C(up) when every tunnel is up, C(down) when at least one is down, C(none) without tunnels.
      type: str
      sample: down
    summary:
      description: Counts C(total), C(up), C(down) and C(traffic_checked).
      type: dict
    tunnels:
      description:
        - One entry per tunnel of the plan, in plan order, with C(tunnel), C(peer), C(status), C(cause_code),
          C(cause_phase), C(cause), C(detail), C(phase1), C(phase2) and C(traffic).
      type: list
      elements: dict
    failed:
      description: The tunnels that are down, each with C(tunnel), C(peer), C(cause_code), C(cause) and C(detail).
      type: list
      elements: dict
      sample:
        - tunnel: s1-s3
          peer: site3
          cause_code: P1_NO_SA
          cause: "no IKE SA toward the peer: ..."
          detail: null
    message:
      description: The failed tunnels and their causes, one per line; empty when every tunnel is up.
      type: str
    warnings:
      description: Lines of the show output that the parsers did not understand.
      type: list
      elements: str
    checked_at:
      description: When the verdict was made (UTC, ISO 8601).
      type: str
msg:
  description: A one-line summary, or the failed tunnels and their causes.
  returned: always
  type: str
"""
