# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backup and restore of a strongSwan gateway's IPsec configuration.

A backup lives on the gateway itself, in ``<state_dir>/backups/<name>/``: a copy of every file of the collection
(``conf/`` and ``state/``, modes kept, the keys file included, so no key ever leaves the host) and a manifest with
what charon ran at that moment (its loaded connections, the CHILD_SAs that were up) and the collection's routes.
A restore puts those files back (and removes the collection's files the backup does not have), loads them,
restores the routes and initiates again the CHILD_SAs that were up at backup time. Pure Python: the manifest and
the decisions; :mod:`.commands` carries them out.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils.strongswan import render, routes, state

MANIFEST = "manifest.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*$")


class BackupError(ValueError):
    """A backup name or manifest that cannot be used."""


def check_name(name):
    if not _NAME.match(name or "") or ".." in name:
        raise BackupError(f"backup name {name!r}: use letters, digits, '_', '-' and '.' only")
    return name


def backup_dir(state_dir, name):
    return f"{state_dir.rstrip('/')}/backups/{check_name(name)}"


def up_children(sas):
    """``[(tunnel, child)]`` of the INSTALLED CHILD_SAs under ESTABLISHED IKE_SAs, sorted."""
    out = set()
    for ike in sas["ike_sas"]:
        if ike["state"] == "ESTABLISHED":
            out.update((ike["name"], c["name"]) for c in ike["child_sas"] if c["state"] == "INSTALLED")
    return sorted(out)


def manifest(observed, name, created):
    """What a backup of ``observed`` records (no file content, no key)."""
    files = [{"folder": f["folder"], "name": f["name"], "mode": f["mode"], "sha256": f["sha256"]}
             for f in state.role_files(observed)]
    return {
        "name": check_name(name),
        "created": created,
        "files": sorted(files, key=lambda f: (f["folder"], f["name"])),
        "record": observed["record"],
        "charon": observed["charon"],
        "connections": sorted(state.parse_list_conns(observed["conns"])) if observed["charon"] else [],
        "children_up": [list(pair) for pair in up_children(state.parse_sas(observed["sas"]))],
        "routes": routes.installed_routes(observed["routes_v4"], observed["routes_v6"]),
        "firewall_loaded": observed["firewall_loaded"],
    }


def check_manifest(data):
    for key in ("name", "files", "children_up", "routes"):
        if key not in data:
            raise BackupError(f"backup manifest without '{key}'")
    return data


def restore_actions(backup, observed, options):
    """What a restore of ``backup`` (a manifest) does on a host in the ``observed`` state.

    ``options``: ``apply``, ``manage_routes``, ``manage_firewall``. Returns ``{"copy": [(folder, name, mode)],
    "delete": [(folder, name)], "firewall_load", "load", "routes_add", "routes_delete", "reinitiate"}``;
    ``reinitiate`` lists the CHILD_SAs to initiate once the files are loaded (those that were up at backup time;
    the caller drops the ones that are up by then)."""
    check_manifest(backup)
    keep = {(f["folder"], f["name"]) for f in backup["files"]}
    current = {(f["folder"], f["name"]): f for f in state.role_files(observed)}
    copy = [(f["folder"], f["name"], f["mode"]) for f in backup["files"]
            if current.get((f["folder"], f["name"]), {}).get("sha256") != f["sha256"]
            or current[(f["folder"], f["name"])]["mode"] != f["mode"]]
    delete = sorted(k for k in current if k not in keep)
    conf_touched = any(folder == render.CONF for folder, _n, _m in copy) or any(
        folder == render.CONF for folder, _n in delete)
    actions = {"copy": copy, "delete": delete, "firewall_load": False, "load": False, "routes_add": [],
               "routes_delete": [], "reinitiate": []}
    if not options["apply"]:
        return actions
    fw = render.firewall_file_name(options["file_prefix"])
    if options["manage_firewall"] and (render.STATE, fw) in keep:
        actions["firewall_load"] = (render.STATE, fw) in {(c[0], c[1]) for c in copy} or not observed[
            "firewall_loaded"]
    # charon is loaded whenever the files changed or it runs something else than it ran at backup time
    loaded = set(state.parse_list_conns(observed["conns"])) if observed["charon"] else set()
    actions["load"] = observed["charon"] and (conf_touched or loaded != set(backup.get("connections", [])))
    if options["manage_routes"]:
        installed = routes.installed_routes(observed["routes_v4"], observed["routes_v6"])
        actions["routes_add"], actions["routes_delete"] = routes.route_changes(backup["routes"], installed)
    actions["reinitiate"] = [tuple(pair) for pair in backup["children_up"]] if observed["charon"] else []
    return actions


def still_down(pairs, sas):
    """The ``(tunnel, child)`` pairs of ``pairs`` that are not up in ``sas`` and whose tunnel has no IKE_SA at all
    (a tunnel with an IKE_SA is already being brought up by charon)."""
    names = set(state.sa_names(sas))
    up = set(up_children(sas))
    return [p for p in pairs if p not in up and p[0] not in names]
