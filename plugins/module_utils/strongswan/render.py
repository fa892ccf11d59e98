# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A strongSwan gateway's plan -> the files the collection installs on it.

The renderer reads the plan (docs/plan.md) and never recomputes it: proposals, selectors, lifetimes, DPD values and
interface data come from the plan as they are. Each function returns one file's whole text; ``rendered_files``
returns every file of a host with its folder, name and mode. Pure Python.
"""

import base64
import re

MARKER = "Managed by the ipsec.vpn strongswan role; local changes are overwritten."

DEFAULT_OPTIONS = {
    # prefix of every file the collection writes; with the marker line it is how its own files are recognised
    "file_prefix": "ipsec-vpn-",
    "keyingtries": 0,
    "manage_firewall": False,
    "firewall_table": "ipsec_vpn",
}

# What the intent decides for a gateway (gateways.<name>.strongswan; the plan's top-level "strongswan"), with the
# defaults of the intent.
DEVICE_DEFAULTS = {"encap": False, "start_action": "start", "manage_routes": True, "firewall_restrict": False}

# The two folders a file can live in: swanctl's conf.d, and the collection's own folder (0700).
CONF = "conf"
STATE = "state"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*$")
_BAD_ID = re.compile(r'["\\\n]')


class RenderError(ValueError):
    """The plan holds something swanctl cannot take."""


def device_settings(plan):
    """The plan's gateway settings (``plan["strongswan"]``), defaults filled in."""
    merged = dict(DEVICE_DEFAULTS)
    merged.update(dict((k, v) for k, v in ((plan or {}).get("strongswan") or {}).items() if v is not None))
    return merged


def options_with_defaults(options):
    merged = dict(DEFAULT_OPTIONS, **DEVICE_DEFAULTS)
    for key, value in (options or {}).items():
        if value is not None:
            merged[key] = value
    return merged


def secrets_file_name(prefix):
    """The keys file. Its dot keeps it apart from any tunnel's file (tunnel names with dots are refused)."""
    return f"{prefix}keys.secrets.conf"


def connection_file_name(prefix, tunnel_name):
    return f"{prefix}{tunnel_name}.conf"


def link_file_name(prefix, tunnel_name):
    return f"{prefix}{tunnel_name}.link.sh"


def firewall_file_name(prefix):
    return f"{prefix}firewall.nft"


def name_problems(tunnels):
    """One message per tunnel whose names or identities swanctl cannot take (section names may not hold dots,
    they separate swanctl.conf keys; identities are written in double quotes)."""
    problems = []
    for tunnel in tunnels:
        names_ok = _NAME.match(tunnel["name"]) and all(_NAME.match(c["name"]) for c in tunnel["children"])
        ids_ok = not _BAD_ID.search(f"{tunnel['local_id']}{tunnel['remote_id']}")
        if not (names_ok and ids_ok):
            problems.append(
                f"tunnel '{tunnel['name']}': swanctl section names cannot contain dots (they separate swanctl.conf "
                "keys) and identities cannot contain double quotes or backslashes; rename the tunnel or group, or "
                "change tunnels[].a/b.id."
            )
    return problems


def _yes_no(value):
    return "yes" if value else "no"


def connection_conf(tunnel, options=None):
    """``<prefix><tunnel>.conf``: one swanctl connection; its pre-shared key is in the keys file."""
    opts = options_with_defaults(options)
    t = tunnel
    sw = t["strongswan"]
    lines = [
        f"# {MARKER}",
        f"# Tunnel {t['name']}: {t['style']} to {t['peer']} ({t['peer_platform']}, {t['peer_address']}), "
        f"side {t['side']}, profile {t['profile']}.",
        f"# Its pre-shared key (if any) is in {secrets_file_name(opts['file_prefix'])}.",
        "connections {",
        f"    {t['name']} {{",
        f"        version = {sw['version']}",
    ]
    if sw["version"] == 1:
        lines.append(f"        aggressive = {_yes_no(sw['aggressive'])}")
    lines += [
        f"        local_addrs = {t['local_address']}",
        f"        remote_addrs = {t['peer_address']}",
        f"        proposals = {', '.join(t['ike']['strongswan_proposals'])}",
        f"        rekey_time = {sw['rekey_time']}s",
        f"        keyingtries = {opts['keyingtries']}",
        f"        encap = {_yes_no(opts['encap'])}",
        f"        dpd_delay = {t['dpd']['strongswan_dpd_delay']}s",
    ]
    if sw["version"] == 1:
        lines.append(f"        dpd_timeout = {t['dpd']['strongswan_dpd_timeout']}s")
    lines += [
        "        local {",
        f"            auth = {sw['local_auth']}",
        f'            id = "{t["local_id"]}"',
        "        }",
        "        remote {",
        f"            auth = {sw['remote_auth']}",
        f'            id = "{t["remote_id"]}"',
        "        }",
        "        children {",
    ]
    for child in t["children"]:
        lines += [
            f"            {child['name']} {{",
            f"                local_ts = {child['local_ts']}",
            f"                remote_ts = {child['remote_ts']}",
            f"                mode = {sw['mode']}",
        ]
        if t["ipsec"]["protocol"] == "ah":
            lines.append(f"                ah_proposals = {', '.join(t['ipsec']['strongswan_ah_proposals'])}")
        else:
            lines.append(f"                esp_proposals = {', '.join(t['ipsec']['strongswan_esp_proposals'])}")
        lines += [
            f"                rekey_time = {sw['children_rekey_time']}s",
            f"                life_time = {sw['children_life_time']}s",
            f"                rekey_bytes = {sw['children_rekey_bytes']}",
            f"                life_bytes = {sw['children_life_bytes']}",
            f"                dpd_action = {t['dpd']['strongswan_dpd_action']}",
            f"                start_action = {opts['start_action']}",
        ]
        if t.get("if_id") is not None:
            lines += [f"                if_id_in = {t['if_id']}", f"                if_id_out = {t['if_id']}"]
        lines.append("            }")
    lines += ["        }", "    }", "}"]
    return "\n".join(lines) + "\n"


def secrets_conf(plan, options=None):
    """``<prefix>keys.secrets.conf``: the pre-shared keys of every tunnel of the host (base64 after ``0s``, so no
    key needs quoting). Sorted by tunnel name, ignoring case."""
    opts = options_with_defaults(options)
    del opts
    lines = [
        f"# {MARKER}",
        "# Pre-shared keys of this host's tunnels, one section per tunnel (base64 after the 0s prefix).",
        "secrets {",
    ]
    keyed = [t for t in plan["tunnels"] if t.get("psk") is not None]
    for t in sorted(keyed, key=lambda tunnel: tunnel["name"].lower()):
        secret = base64.b64encode(str(t["psk"]).encode("utf-8")).decode("ascii")
        lines += [
            f"    ike-{t['name']} {{",
            f'        id-local = "{t["local_id"]}"',
            f'        id-remote = "{t["remote_id"]}"',
            f"        secret = 0s{secret}",
            "    }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def link_script(tunnel, options=None):
    """``<prefix><tunnel>.link.sh``: the GRE or xfrm interface of a ``gre_over_ipsec``/``vti`` tunnel, ``up`` or
    ``down``, idempotent; prints CHANGED when it changed something."""
    opts = options_with_defaults(options)
    t = tunnel
    ti = t["tunnel_interface"]
    lines = ["#!/bin/sh", f"# {MARKER}"]
    if t["style"] == "gre_over_ipsec":
        local_ts = ", ".join(c["local_ts"] for c in t["children"])
        remote_ts = ", ".join(c["remote_ts"] for c in t["children"])
        lines += [
            f"# GRE interface {ti['name']} of tunnel {t['name']}: GRE between {ti['source_address']} and "
            f"{ti['destination']},",
            f"# encrypted by the CHILD_SA that protects {local_ts} <->",
            f"# {remote_ts}.",
        ]
    else:
        lines += [
            f"# xfrm interface {ti['name']} (if_id {t['if_id']}) of the route-based tunnel {t['name']}: traffic "
            "routed into",
            f"# it is encrypted by the CHILD_SA whose if_id_in/if_id_out is {t['if_id']}.",
        ]
    if ti.get("tcp_adjust_mss"):
        lines.append(f"# TCP MSS clamping to {ti['tcp_adjust_mss']} is done by the role's nftables table "
                     "(strongswan_manage_firewall).")
    lines += [
        f"# Usage: sh {link_file_name(opts['file_prefix'], t['name'])} up|down",
        "# Safe to run again and again; prints CHANGED when it changed something. To keep the interface across",
        '# reboots, run it from the network configuration, e.g. an ifupdown "post-up" line or a systemd unit',
        "# ordered after network-online.target.",
        "set -eu",
        f"dev={ti['name']}",
        'case "${1:-up}" in',
        "up)",
        '    if ! ip link show dev "$dev" >/dev/null 2>&1; then',
    ]
    if t["style"] == "gre_over_ipsec":
        lines.append(f'        ip link add "$dev" type gre local {ti["source_address"]} remote {ti["destination"]} '
                     "ttl 255")
    else:
        lines.append(f'        ip link add "$dev" type xfrm dev {ti["source"]} if_id {t["if_id"]}')
    lines += [
        "        echo CHANGED",
        "    fi",
        f'    if ! ip -o addr show dev "$dev" | grep -q " inet {ti["address"]} "; then',
        f'        ip addr replace {ti["address"]} dev "$dev"',
        "        echo CHANGED",
        "    fi",
    ]
    if ti.get("ip_mtu"):
        lines += [
            f'    if ! ip -o link show dev "$dev" | grep -q " mtu {ti["ip_mtu"]} "; then',
            f'        ip link set dev "$dev" mtu {ti["ip_mtu"]}',
            "        echo CHANGED",
            "    fi",
        ]
    lines += [
        '    if ! ip -o link show dev "$dev" | grep -q "[<,]UP[,>]"; then',
        '        ip link set dev "$dev" up',
        "        echo CHANGED",
        "    fi",
        "    ;;",
        "down)",
        '    if ip link show dev "$dev" >/dev/null 2>&1; then',
        '        ip link del dev "$dev"',
        "        echo CHANGED",
        "    fi",
        "    ;;",
        "*)",
        '    echo "usage: $0 up|down" >&2',
        "    exit 2",
        "    ;;",
        "esac",
    ]
    return "\n".join(lines) + "\n"


def ipsec_protocols(plan):
    """The IPsec protocols (``esp``, ``ah``) the host's tunnels use; ``["esp"]`` for a host without tunnels."""
    return sorted({t["ipsec"]["protocol"] for t in plan["tunnels"]}) or ["esp"]


def firewall_nft(plan, options=None):
    """``<prefix>firewall.nft``: a table of the collection's own accepting IKE, NAT-T and ESP/AH on the outside
    interface (``nft -f`` replaces that table and touches nothing else), with MSS clamping of GRE/VTI tunnels."""
    opts = options_with_defaults(options)
    table = opts["firewall_table"]
    restrict = opts["firewall_restrict"]
    outside = plan["outside_interface"]
    protocols = ipsec_protocols(plan)
    lines = [
        f"# {MARKER}",
        f"# Inbound IKE (udp 500), NAT-T (udp 4500) and {' and '.join(protocols).upper()} on {outside}, in a table of",
        "# its own: loading this file (nft -f) replaces the table and touches nothing else.",
        "#",
        "# nftables runs every base chain of a hook, so an accept here does not override a drop in another",
        f"# table: if another ruleset filters {outside}, it must let this traffic through too.",
    ]
    if restrict:
        lines += [
            f"# strongswan_firewall_restrict is on: anything else arriving on {outside} is dropped, except",
            "# replies, decrypted packets and the management session.",
        ]
    lines += [
        f"table inet {table}",
        f"delete table inet {table}",
        f"table inet {table} {{",
        "    chain input {",
        "        type filter hook input priority filter - 5; policy accept;",
        f'        iifname "{outside}" udp dport {{ 500, 4500 }} accept comment "IKE, NAT-T"',
    ]
    for proto in protocols:
        lines.append(f'        iifname "{outside}" meta l4proto {proto} accept comment "{proto.upper()}"')
    if restrict:
        lines += [
            f'        iifname "{outside}" ct state established,related accept comment "replies"',
            f'        iifname "{outside}" meta ipsec exists accept comment "decrypted by the kernel"',
        ]
        management = plan.get("management")
        if management and management.get("via_outside"):
            port = management.get("port") or 22
            lines.append(f'        iifname "{outside}" tcp dport {port} accept comment "management"')
        lines += [
            f'        iifname "{outside}" icmp type {{ destination-unreachable, time-exceeded }} accept comment '
            '"path MTU"',
            f'        iifname "{outside}" drop comment "strongswan_firewall_restrict"',
        ]
    lines.append("    }")
    clamped = [t["tunnel_interface"] for t in plan["tunnels"]
               if t.get("tunnel_interface") and t["tunnel_interface"].get("tcp_adjust_mss")]
    if clamped:
        lines += [
            "    chain forward {",
            "        type filter hook forward priority mangle; policy accept;",
        ]
        for ti in clamped:
            mss = ti["tcp_adjust_mss"]
            lines += [
                f'        oifname "{ti["name"]}" tcp flags syn tcp option maxseg size set {mss} comment '
                '"tcp_adjust_mss"',
                f'        iifname "{ti["name"]}" tcp flags syn tcp option maxseg size set {mss} comment '
                '"tcp_adjust_mss"',
            ]
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def rendered_files(plan, options=None):
    """Every file the host gets, in write order: ``[{"folder", "name", "content", "mode", "secret", "kind",
    "tunnel"}]``. ``encap``, ``start_action`` and ``firewall_restrict`` come from the plan (the intent), the
    file prefix, ``keyingtries`` and the firewall table from ``options``. Raises RenderError when a name or
    identity cannot be written for swanctl."""
    opts = dict(options_with_defaults(options), **device_settings(plan))
    prefix = opts["file_prefix"]
    problems = name_problems(plan["tunnels"])
    if problems:
        raise RenderError("; ".join(problems))
    files = []
    for tunnel in plan["tunnels"]:
        files.append(_file(CONF, connection_file_name(prefix, tunnel["name"]), connection_conf(tunnel, opts),
                           0o600, "connection", tunnel["name"]))
    files.append(_file(CONF, secrets_file_name(prefix), secrets_conf(plan, opts), 0o600, "keys", None, secret=True))
    for tunnel in plan["tunnels"]:
        if tunnel.get("tunnel_interface"):
            files.append(_file(STATE, link_file_name(prefix, tunnel["name"]), link_script(tunnel, opts), 0o700,
                               "link", tunnel["name"]))
    if opts["manage_firewall"]:
        files.append(_file(STATE, firewall_file_name(prefix), firewall_nft(plan, opts), 0o600, "firewall", None))
    return files


def _file(folder, name, content, mode, kind, tunnel, secret=False):
    return {"folder": folder, "name": name, "content": content, "mode": mode, "secret": secret, "kind": kind,
            "tunnel": tunnel}
