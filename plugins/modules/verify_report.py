#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: verify_report
short_description: Write the IPsec verification run report (JSON, JUnit XML, Markdown with a Mermaid map)
version_added: 0.1.0
description:
  - Aggregates the verdicts of M(ipsec.vpn.verify_tunnels) of every host of the play and writes, on the controller,
    C(verify.json), C(verify-junit.xml) (one testcase per tunnel end, a failure with the probable cause for each end
    that is down, usable by CI and AWX) and C(verify.md) (a summary with a Mermaid C(graph LR) of the topology, each
    tunnel an edge coloured green when up, red when down, orange when an end has no result).
  - Hosts of the play that failed or were unreachable before their verdict are listed as missing (JUnit errors).
  - The report never contains a pre-shared key. Values under secret-looking keys (C(psk), C(secret), C(password))
    are masked even if a caller passes them in.
  - Run it once per play (C(run_once)); it reads other hosts' C(ipsec_vpn_verify) facts, which is reporting only.
author:
  - ipsec.vpn developers (@ipsec-vpn)
options:
  dest:
    description:
      - Directory for the report files, created if needed. A relative path is relative to the directory
        C(ansible-playbook) was started from. The files are overwritten on every run.
    type: path
    default: ipsec-vpn-build/reports
  formats:
    description: Which files to write.
    type: list
    elements: str
    choices: [json, junit, markdown]
    default: [json, junit, markdown]
  results:
    description:
      - Verdicts to report. Defaults to the C(ipsec_vpn_verify) fact of every host in C(ansible_play_hosts).
    type: list
    elements: dict
  hosts:
    description:
      - Hosts whose facts are collected when O(results) is not given. Defaults to C(ansible_play_hosts); hosts of
        C(ansible_play_hosts_all) that are not in it are reported as missing.
    type: list
    elements: str
  missing:
    description: Extra hosts to report as missing (no result).
    type: list
    elements: str
  fact:
    description: Name of the host fact that holds a verdict.
    type: str
    default: ipsec_vpn_verify
notes:
  - Action plugin; in check mode nothing is written.
seealso:
  - module: ipsec.vpn.verify_tunnels
"""

EXAMPLES = r"""
- name: Write the report once for the whole play
  ipsec.vpn.verify_report:
    dest: build/reports
  run_once: true

- name: JUnit only, for CI
  ipsec.vpn.verify_report:
    dest: "{{ lookup('env', 'CI_PROJECT_DIR') }}/reports"
    formats: [junit]
  run_once: true
"""

RETURN = r"""
paths:
  description: Path of each file written, by format.
  returned: success
  type: dict
  sample:
    json: /srv/ansible/build/reports/verify.json
    junit: /srv/ansible/build/reports/verify-junit.xml
    markdown: /srv/ansible/build/reports/verify.md
status:
  description: C(up) when every reported tunnel end is up and no host is missing, C(down) otherwise, C(none) when
    nothing was verified.
  returned: success
  type: str
summary:
  description: Counts of hosts, missing hosts, tunnels and tunnel ends, up and down.
  returned: success
  type: dict
missing_hosts:
  description: Hosts without a verdict, each with C(host) and C(reason).
  returned: success
  type: list
  elements: dict
stats:
  description:
    - The report's summary for job statistics (M(ansible.builtin.set_stats); AWX shows them as job artifacts, which
      outlive the execution environment's disk).
    - C(status), C(summary), C(tunnels) (each with C(status) and its C(ends), each end with C(host), C(status) and
      C(cause_code)), C(missing_hosts), C(files) (the report files by format, as in RV(paths)) and
      C(generated_at). It holds no pre-shared key.
  returned: success
  type: dict
"""
