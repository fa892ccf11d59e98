# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a strongSwan gateway holds against what its plan wants.

``observed`` is what :func:`.commands.parse_read` makes of one read of the host: the collection's files (name,
mode, digest, content of the non-secret ones), whether charon answers, the connections charon has loaded
(``swanctl --list-conns --raw``), the SAs (``swanctl --list-sas``), the routes and the firewall table, and the load
record (the digests of the conf.d files at the last successful ``swanctl --load-all``).

Convergence is decided on state, not on "this run changed a file": charon is (re)loaded whenever what it has
loaded differs from the plan - a connection missing or different, a removed tunnel still loaded, or files whose
digests differ from the load record. So a re-run after an interrupted or partial run loads what is missing.
Pure Python.
"""

import hashlib
import re

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.swanctl_list_sas import (
    _raw_section,
    parse_swanctl_list_sas,
)
from ansible_collections.ipsec.vpn.plugins.module_utils.strongswan import render, routes

RECORD_SUFFIX = "loaded.json"


def record_file_name(prefix):
    """The load record, in the collection's own folder."""
    return f"{prefix}{RECORD_SUFFIX}"


def digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# reading what charon has loaded
# --------------------------------------------------------------------------------------------


def parse_list_conns(text):
    """``swanctl --list-conns --raw`` -> ``{name: {"local_addrs", "remote_addrs", "version", "children": {name:
    {"mode", "local_ts", "remote_ts"}}}}``. The text form has no proposals, so neither has this."""
    conns = {}
    for line in (text or "").split("\n"):
        line = line.strip()
        if not line.startswith("list-conn event "):
            continue
        tree, _end = _raw_section(line, line.index("{") + 1)
        for name, body in tree.items():
            if not isinstance(body, dict):
                continue
            children = {}
            for child, child_body in (body.get("children") or {}).items():
                children[child] = {
                    "mode": child_body.get("mode"),
                    "local_ts": child_body.get("local-ts") or [],
                    "remote_ts": child_body.get("remote-ts") or [],
                }
            conns[name] = {
                "local_addrs": body.get("local_addrs") or [],
                "remote_addrs": body.get("remote_addrs") or [],
                "version": body.get("version"),
                "children": children,
            }
    return conns


def planned_conns(tunnels):
    """The plan's connections in the shape of :func:`parse_list_conns` (the parts compared)."""
    return {
        t["name"]: {
            "local_addrs": [t["local_address"]],
            "remote_addrs": [t["peer_address"]],
            "version": f"IKEv{t['strongswan']['version']}",
            "children": sorted(c["name"] for c in t["children"]),
        }
        for t in tunnels
    }


def conn_drift(tunnels, loaded):
    """Connections of the plan that charon has not loaded as planned: ``["<name>: <why>"]``. Compares the
    addresses, IKE version and CHILD_SA names; proposals and keys are covered by the load record."""
    drift = []
    for name, want in sorted(planned_conns(tunnels).items()):
        have = loaded.get(name)
        if have is None:
            drift.append(f"{name}: not loaded")
            continue
        for key in ("local_addrs", "remote_addrs", "version"):
            if have[key] != want[key]:
                drift.append(f"{name}: {key} is {have[key]}, the plan has {want[key]}")
        if sorted(have["children"]) != want["children"]:
            drift.append(f"{name}: children are {sorted(have['children'])}, the plan has {want['children']}")
    return drift


def sa_names(sas):
    """Names of the IKE_SAs in parsed ``swanctl --list-sas`` output."""
    return [ike["name"] for ike in sas["ike_sas"]]


def parse_sas(text):
    return parse_swanctl_list_sas(text or "")


def children_down(tunnels, sas):
    """Names of the plan's CHILD_SAs that are not INSTALLED under an ESTABLISHED IKE_SA of their tunnel."""
    up = set()
    for ike in sas["ike_sas"]:
        if ike["state"] != "ESTABLISHED":
            continue
        for child in ike["child_sas"]:
            if child["state"] == "INSTALLED":
                up.add((ike["name"], child["name"]))
    return [c["name"] for t in tunnels for c in t["children"] if (t["name"], c["name"]) not in up]


def initiators(tunnels, sas):
    """``[(tunnel, child)]`` to initiate once more: every CHILD_SA of a tunnel that has no IKE_SA at all, from
    side ``a`` of a pair, or from the strongSwan end toward an IOS peer (which only initiates on traffic).
    charon refuses a duplicate CHILD_SA, so this never doubles a tunnel."""
    names = set(sa_names(sas))
    without = [t for t in tunnels if t["name"] not in names]
    chosen = [t for t in without if t["side"] == "a"]
    chosen += [t for t in without if t["side"] != "a" and t["peer_platform"] == "ios"]
    return [(t["name"], c["name"]) for t in chosen for c in t["children"]]


# --------------------------------------------------------------------------------------------
# the collection's files
# --------------------------------------------------------------------------------------------


def role_files(observed):
    """The files of ``observed`` that carry the marker line: only those are ever changed or removed."""
    return [f for f in observed["files"] if f["marker"]]


def connection_of_file(name, prefix):
    """``ipsec-vpn-<tunnel>.conf`` -> ``<tunnel>``; the keys file names no connection."""
    if name == render.secrets_file_name(prefix):
        return None
    m = re.match(rf"^{re.escape(prefix)}(.*?)([.]secrets)?[.]conf$", name)
    return m.group(1) if m else None


def stale_files(observed, wanted, folder, suffix):
    """Names of the collection's files in ``folder`` ending in ``suffix`` that the plan no longer has."""
    names = {f["name"] for f in wanted if f["folder"] == folder}
    return sorted(f["name"] for f in role_files(observed)
                  if f["folder"] == folder and f["name"].endswith(suffix) and f["name"] not in names)


def file_changes(observed, wanted):
    """For each wanted file: ``"create"``, ``"update"`` (content), ``"mode"`` (only the mode) or None."""
    have = {(f["folder"], f["name"]): f for f in observed["files"]}
    out = []
    for f in wanted:
        now = have.get((f["folder"], f["name"]))
        if now is None:
            change = "create"
        elif now["sha256"] != digest(f["content"]):
            change = "update"
        elif now["mode"] != f["mode"]:
            change = "mode"
        else:
            change = None
        out.append((f, change))
    return out


def conf_digests(files):
    """``{name: sha256}`` of the conf.d files of a file list: what a load record holds."""
    return {f["name"]: digest(f["content"]) for f in files if f["folder"] == render.CONF}


def load_reasons(tunnels, observed, wanted, changed_conf, stale_connections):
    """Why charon must load the configuration (an empty list: it already runs the plan)."""
    if not observed["charon"]:
        return []
    reasons = []
    if changed_conf:
        reasons.append("files changed: " + ", ".join(changed_conf))
    if observed["record"] != conf_digests(wanted):
        reasons.append("the files differ from what was last loaded")
    loaded = parse_list_conns(observed["conns"])
    reasons += conn_drift(tunnels, loaded)
    still = sorted(set(stale_connections) & set(loaded))
    if still:
        reasons.append("removed tunnels still loaded: " + ", ".join(still))
    return reasons


def present_actions(plan, observed, options, wanted):
    """Everything a run must do on the host, in order, as data (nothing is executed here).

    ``options``: ``file_prefix``, ``apply``, ``manage_links``, ``manage_firewall``, ``manage_routes``,
    ``wanted_routes`` (see :mod:`.routes`), ``initiate``, ``start_action``."""
    prefix = options["file_prefix"]
    tunnels = plan["tunnels"]
    apply = options["apply"]
    changes = [(f, c) for f, c in file_changes(observed, wanted) if c]
    stale_conf = stale_files(observed, wanted, render.CONF, ".conf")
    stale_links = stale_files(observed, wanted, render.STATE, ".link.sh")
    wanted_names = {f["name"] for f in wanted}
    recorded = [n for n in (observed["record"] or {}) if n not in wanted_names]
    stale_connections = sorted({c for c in (connection_of_file(n, prefix) for n in stale_conf + recorded)
                                if c})
    sas = parse_sas(observed["sas"])
    actions = {
        "write": changes,
        "terminate": sorted(set(stale_connections) & set(sa_names(sas))) if apply and observed["charon"] else [],
        "delete_conf": stale_conf,
        "links_down": stale_links if apply and options["manage_links"] else [],
        "delete_links": stale_links,
        "links_up": [render.link_file_name(prefix, t["name"]) for t in tunnels if t.get("tunnel_interface")]
        if apply and options["manage_links"] else [],
        "firewall_load": False,
        "load": [],
        "routes_add": [],
        "routes_delete": [],
    }
    if apply and options["manage_firewall"]:
        fw_changed = any(f["kind"] == "firewall" and c in ("create", "update") for f, c in changes)
        actions["firewall_load"] = fw_changed or not observed["firewall_loaded"]
    if apply:
        changed_conf = [f["name"] for f, c in changes if f["folder"] == render.CONF and c in ("create", "update")]
        actions["load"] = load_reasons(tunnels, observed, wanted, changed_conf + stale_conf, stale_connections)
    if apply and options["manage_routes"]:
        installed = routes.installed_routes(observed["routes_v4"], observed["routes_v6"])
        actions["routes_add"], actions["routes_delete"] = routes.route_changes(options["wanted_routes"], installed)
    return actions
