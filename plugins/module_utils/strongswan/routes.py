# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan's routes on a strongSwan gateway: which to install, which the collection installed earlier, and the
difference.

Routes the collection installs carry one routing protocol number (``proto 145`` by default), so they are found
again with ``ip -j route show ... proto N`` without any state file. A route is compared in one form on both sides:
``"<prefix> via <next hop>"`` or ``"<prefix> dev <interface>"``. Pure Python.
"""

import json

DEFAULT_REASONS = ("inside_protected", "peer_public", "overlay_static")


def wanted_routes(plan, reasons=DEFAULT_REASONS, manage_links=True):
    """The plan's routes whose ``reason_code`` is in ``reasons``, as ``"<prefix> via <hop>"`` (routes with a next
    hop first) then ``"<prefix> dev <interface>"``. Without ``manage_links`` the routes into GRE/xfrm interfaces
    (``overlay_static``) are left out: the interfaces do not exist."""
    selected = [r for r in plan.get("routes") or []
                if r["reason_code"] in reasons and (manage_links or r["reason_code"] != "overlay_static")]
    via = [f"{r['prefix']} via {r['next_hop']}" for r in selected if r.get("next_hop")]
    dev = [f"{r['prefix']} dev {r['interface']}" for r in selected if not r.get("next_hop")]
    return via + dev


def _routes(text):
    text = (text or "").strip()
    return json.loads(text) if text else []


def installed_routes(v4_json, v6_json):
    """The routes of ``ip -j -4/-6 route show table main proto N`` in the compared form. ``ip`` prints a host
    route without its length and the default route as ``default``."""
    out = []
    for text, host_len, default in ((v4_json, "/32", "0.0.0.0/0"), (v6_json, "/128", "::/0")):
        for route in _routes(text):
            dst = route["dst"]
            dst = default if dst == "default" else (dst if "/" in dst else dst + host_len)
            out.append(dst + (f" via {route['gateway']}" if "gateway" in route else f" dev {route['dev']}"))
    return out


def route_changes(wanted, installed):
    """``(add, delete)``: routes to add or update (``ip route replace``) and routes the plan no longer has."""
    add = [r for r in wanted if r not in installed]
    delete = [r for r in installed if r not in wanted]
    return add, delete


def every_installed_route(v4_json, v6_json):
    """``[(family, dst)]`` of every route carrying the collection's protocol, as ``ip`` names them (teardown)."""
    return [("-4", r["dst"]) for r in _routes(v4_json)] + [("-6", r["dst"]) for r in _routes(v6_json)]
