#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: strongswan_config
short_description: Converge a strongSwan gateway on its IPsec VPN plan, report, back up, restore or remove it
version_added: 0.2.0
description:
  - Takes one host's plan (from M(ipsec.vpn.plan)) and renders every file the collection installs on a strongSwan
    gateway - one swanctl connection file per tunnel, one file with the pre-shared keys of all tunnels, a GRE/xfrm
    interface script per C(gre_over_ipsec)/C(vti) tunnel and, with O(manage_firewall), an nftables table.
  - With O(state=present) it reads in one command what the host holds (the collection's files, the connections
    charon has loaded, the SAs, the collection's routes, the firewall table) and does what differs from the plan,
    in order - write changed files, terminate the SAs of tunnels that left the plan and delete their files, run
    the interface scripts, load the firewall table, C(swanctl --load-all) when what charon has loaded differs from
    the plan, install or remove routes, initiate the CHILD_SAs that have no IKE_SA. A second run does nothing.
  - charon is loaded on state, not on changed files - when a planned connection is not loaded (or loaded with
    other addresses, IKE version or children), a removed tunnel is still loaded, or the files differ from the
    ones last loaded (a record of their digests). A re-run after an interrupted run therefore loads what is
    missing.
  - With O(state=status) it reports the plan's CHILD_SAs that are not INSTALLED (for a wait loop).
  - With O(state=backup) it copies the collection's files and a manifest of charon's loaded state and the
    collection's routes to C(<state_dir>/backups/<backup_name>) on the host; O(state=restore) puts them back,
    reloads charon, restores the routes and initiates the CHILD_SAs that were up at backup time.
  - With O(state=absent) it terminates and unloads every connection the collection installed and deletes its
    files, interfaces, routes and firewall table. It needs no plan.
  - What goes on the device is decided by the intent, through the plan's C(strongswan) section - C(encap),
    C(start_action), C(manage_routes) and C(firewall_restrict) (C(gateways.<name>.strongswan) in the intent), so the
    planner, its cross-peer checks and its lockout guard see them. The options here only place files and bound
    commands.
  - Only files whose name starts with O(file_prefix) and that carry the collection's marker line are ever changed
    or removed. Every remote command runs under C(timeout) (O(command_timeout)).
  - Pre-shared keys never appear in the result, the diff or the commands (file contents travel on standard input).
author:
  - ipsec.vpn developers (@ipsec-vpn)
options:
  plan:
    description:
      - The host's plan, as returned by M(ipsec.vpn.plan) in C(plan), keys included.
      - Defaults to the C(ipsec_vpn_plan) variable, which keeps the keys out of the task's arguments.
      - Needed with O(state=present) and O(state=status) only.
    type: dict
  state:
    description:
      - V(present) converges the host on the plan; V(status) reports the CHILD_SAs that are down; V(backup) and
        V(restore) save and put back the collection's configuration; V(absent) removes it.
    type: str
    choices: [present, absent, status, backup, restore]
    default: present
  apply:
    description:
      - When false, only write the files (into O(conf_dir) and O(state_dir)) and run no command on the host (no
        swanctl, ip or nft).
    type: bool
    default: true
  conf_dir:
    description: Folder swanctl includes connection files from.
    type: str
    default: /etc/swanctl/conf.d
  state_dir:
    description: The collection's own folder (mode 0700) for interface scripts, the nftables file, the load record
      and backups.
    type: str
    default: /etc/swanctl/ipsec-vpn
  file_prefix:
    description: Prefix of every file the collection writes.
    type: str
    default: ipsec-vpn-
  vici_socket:
    description: charon's VICI socket; its presence tells that charon runs.
    type: str
    default: /run/charon.vici
  keyingtries:
    description: swanctl C(keyingtries) of every connection.
    type: int
    default: 0
  initiate:
    description:
      - Initiate once more the CHILD_SAs whose tunnel has no IKE_SA (from side a, or toward an IOS peer); only
        when the plan's C(strongswan.start_action) is C(start).
    type: bool
    default: true
  manage_links:
    description: Run the GRE/xfrm interface scripts (they are always written).
    type: bool
    default: true
  manage_routes:
    description:
      - With O(state=absent), O(state=backup) and O(state=restore), whether routes are handled. With a plan the
        intent decides (C(gateways.<name>.strongswan.manage_routes), the plan's C(strongswan.manage_routes)).
    type: bool
    default: true
  route_reasons:
    description: Reason codes of the plan's routes to install.
    type: list
    elements: str
    default: [inside_protected, peer_public, overlay_static]
  route_protocol:
    description: Routing protocol number the collection's routes carry.
    type: int
    default: 145
  manage_firewall:
    description: Write and load the nftables table.
    type: bool
    default: false
  firewall_table:
    description: Name of that table (family C(inet)).
    type: str
    default: ipsec_vpn
  command_timeout:
    description: Seconds each remote command may take before the host fails.
    type: int
    default: 60
  backup_name:
    description: Name of the backup for O(state=backup) and O(state=restore).
    type: str
    default: previous
notes:
  - Action plugin; it runs shell commands over the host's connection (C(ssh) or C(local)) with become when set.
    Check mode reads the host and changes nothing; diff mode shows the connection, script and firewall files
    (never the keys file).
  - The strongSwan role and its files are described in C(docs/strongswan.md), shipped in the collection.
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

- name: Converge the gateway on it
  ipsec.vpn.strongswan_config:

- name: Wait until every CHILD_SA is up
  ipsec.vpn.strongswan_config:
    state: status
  register: sas
  until: sas.children_down | length == 0
  retries: 15
  delay: 2

- name: Back up before a change
  ipsec.vpn.strongswan_config:
    state: backup
    backup_name: before-rollout

- name: Put it back
  ipsec.vpn.strongswan_config:
    state: restore
    backup_name: before-rollout
"""

RETURN = r"""
changed:
  description: Whether anything was (or, in check mode, would be) changed on the host.
  returned: always
  type: bool
commands:
  description: What was run on the host, one label per command (no key, no file content).
  returned: always
  type: list
  elements: str
files:
  description: Files written, each with C(path) and C(change) (C(create), C(update) or C(mode)).
  returned: with state present
  type: list
  elements: dict
deleted:
  description: Files and folders deleted.
  returned: with state present, absent or restore
  type: list
  elements: str
terminated:
  description: Connections whose SAs were terminated (tunnels that left the plan).
  returned: with state present or absent
  type: list
  elements: str
loaded:
  description: Whether C(swanctl --load-all) ran.
  returned: with state present, absent or restore
  type: bool
load_reasons:
  description: Why charon was loaded (empty when it already ran the plan).
  returned: with state present
  type: list
  elements: str
  sample: ["lab-hub--site1--site2: not loaded"]
links:
  description: Interface scripts that changed something (C(<file> up) or C(<file> down)).
  returned: with state present or absent
  type: list
  elements: str
firewall_loaded:
  description: Whether the nftables table was loaded.
  returned: with state present or restore
  type: bool
routes_added:
  description: Routes added or replaced, as C(<prefix> via <next hop>) or C(<prefix> dev <interface>).
  returned: with state present or restore
  type: list
  elements: str
routes_deleted:
  description: Routes removed.
  returned: with state present, absent or restore
  type: list
  elements: str
initiated:
  description: CHILD_SAs initiated.
  returned: with state present or restore
  type: list
  elements: str
children_down:
  description: The plan's CHILD_SAs that are not INSTALLED under an ESTABLISHED IKE_SA.
  returned: with state status
  type: list
  elements: str
ike_sas:
  description: Names of the IKE_SAs charon has.
  returned: with state status
  type: list
  elements: str
backup:
  description: The backup's manifest (files with digests, loaded connections, CHILD_SAs up, routes; no key).
  returned: with state backup or restore
  type: dict
backup_dir:
  description: Where the backup is on the host.
  returned: with state backup
  type: str
restored:
  description: Files put back from the backup.
  returned: with state restore
  type: list
  elements: str
"""
