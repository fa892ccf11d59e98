# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run report of the verification: JSON, JUnit XML and a Markdown summary with a Mermaid map.

Pure Python (no ``ansible`` import). :func:`build_report` aggregates the per-host verdicts of
``verify.verdict`` into one report dict; :func:`render_json`, :func:`render_junit` and
:func:`render_markdown` turn it into text; :func:`write_report` writes the files.

Secrets: the verdict never copies a pre-shared key, and :func:`build_report` masks every
value stored under a secret-looking key (``psk``, ``secret``, ``password``...) anyway, so a
report is safe to keep as a CI artifact.
"""

import datetime
import json
import os
from xml.etree import ElementTree

from ansible_collections.ipsec.vpn.plugins.module_utils import files, masking

REPORT_SCHEMA_VERSION = 1
FORMATS = ("json", "junit", "markdown")
FILE_NAMES = {"json": "verify.json", "junit": "verify-junit.xml", "markdown": "verify.md"}
COLOURS = {"up": "green", "down": "red", "unknown": "orange"}

_SELECTOR_SCHEMA = {
    "type": "object",
    "required": ["local", "remote", "found", "up", "encaps", "decaps"],
    "properties": {
        "local": {"type": "string"},
        "remote": {"type": "string"},
        "found": {"type": "boolean"},
        "up": {"type": "boolean"},
        "encaps": {"type": ["integer", "null"]},
        "decaps": {"type": ["integer", "null"]},
    },
}

_END_SCHEMA = {
    "type": "object",
    "required": ["tunnel", "peer", "status", "cause_code", "cause", "phase1", "phase2", "traffic"],
    "properties": {
        "tunnel": {"type": "string"},
        "peer": {"type": ["string", "null"]},
        "status": {"enum": ["up", "down"]},
        "cause_code": {"type": ["string", "null"]},
        "cause": {"type": ["string", "null"]},
        "detail": {"type": ["string", "null"]},
        "phase1": {
            "type": "object",
            "required": ["up", "state"],
            "properties": {"up": {"type": "boolean"}, "state": {"type": ["string", "null"]}},
        },
        "phase2": {
            "type": "object",
            "required": ["up", "selectors", "unexpected_selectors"],
            "properties": {
                "up": {"type": "boolean"},
                "selectors": {"type": "array", "items": _SELECTOR_SCHEMA},
                "unexpected_selectors": {"type": "array", "items": {"type": "string"}},
            },
        },
        "traffic": {
            "type": "object",
            "required": ["checked", "passed", "encaps_delta", "decaps_delta"],
            "properties": {
                "checked": {"type": "boolean"},
                "passed": {"type": ["boolean", "null"]},
                "encaps_delta": {"type": ["integer", "null"]},
                "decaps_delta": {"type": ["integer", "null"]},
            },
        },
    },
}

# JSON Schema (draft 2020-12) of the JSON report; docs/verify.md describes the fields.
REPORT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ipsec.vpn verification report",
    "type": "object",
    "required": ["schema_version", "generated_at", "status", "summary", "hosts", "missing_hosts", "tunnels"],
    "properties": {
        "schema_version": {"const": REPORT_SCHEMA_VERSION},
        "generated_at": {"type": "string"},
        "status": {"enum": ["up", "down", "none"]},
        "summary": {
            "type": "object",
            "required": ["hosts", "hosts_down", "hosts_missing", "tunnels", "tunnels_up", "tunnels_down", "ends",
                         "ends_up", "ends_down"],
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
        "hosts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["host", "platform", "status", "summary", "tunnels", "failed"],
                "properties": {
                    "host": {"type": "string"},
                    "platform": {"type": ["string", "null"]},
                    "status": {"enum": ["up", "down", "none"]},
                    "tunnels": {"type": "array", "items": _END_SCHEMA},
                    "failed": {"type": "array"},
                },
            },
        },
        "missing_hosts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["host", "reason"],
                "properties": {"host": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
        "tunnels": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tunnel", "status", "ends"],
                "properties": {
                    "tunnel": {"type": "string"},
                    "status": {"enum": ["up", "down", "unknown"]},
                    "ends": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["host", "peer", "status"],
                            "properties": {
                                "host": {"type": "string"},
                                "peer": {"type": ["string", "null"]},
                                "status": {"enum": ["up", "down", "missing"]},
                            },
                        },
                    },
                },
            },
        },
    },
}


class ReportError(ValueError):
    """The report inputs are unusable."""


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def build_report(results, missing=None, generated_at=None):
    """Aggregate per-host verdicts into one report.

    ``results``: list of verdict dicts (or ``{host: verdict}``); ``missing``: hosts that were
    expected but have no verdict, as a list of names or ``{host: reason}``.
    """
    if isinstance(results, dict):
        results = [dict(value, host=value.get("host") or key) for key, value in sorted(results.items())]
    if not isinstance(results, (list, tuple)):
        raise ReportError("results must be a list of per-host verdicts")
    hosts = []
    for item in results:
        if not isinstance(item, dict) or not item.get("host") or not isinstance(item.get("tunnels"), list):
            raise ReportError("every result must be a verdict with 'host' and 'tunnels': {!r:.200}".format(item))
        hosts.append(masking.mask(item))
    hosts.sort(key=lambda h: str(h["host"]))
    if isinstance(missing, dict):
        missing_hosts = [{"host": str(h), "reason": str(r or "no verification result")} for h, r in missing.items()]
    else:
        missing_hosts = [{"host": str(h), "reason": "no verification result (unreachable, failed or skipped "
                                                    "before the verdict)"} for h in (missing or [])]
    reported = {h["host"] for h in hosts}
    missing_hosts = sorted((m for m in missing_hosts if m["host"] not in reported), key=lambda m: m["host"])

    tunnels = {}
    for host in hosts:
        for end in host["tunnels"]:
            entry = tunnels.setdefault(end["tunnel"], {"tunnel": end["tunnel"], "ends": []})
            entry["ends"].append({
                "host": host["host"],
                "peer": end.get("peer"),
                "status": end["status"],
                "cause_code": end.get("cause_code"),
            })
    missing_names = {m["host"] for m in missing_hosts}
    for entry in tunnels.values():
        hosts_seen = {end["host"] for end in entry["ends"]}
        for end in list(entry["ends"]):
            if end["peer"] in missing_names and end["peer"] not in hosts_seen:
                entry["ends"].append({"host": end["peer"], "peer": end["host"], "status": "missing",
                                      "cause_code": None})
        entry["ends"].sort(key=lambda e: e["host"])
        statuses = {end["status"] for end in entry["ends"]}
        entry["status"] = "down" if "down" in statuses else ("unknown" if "missing" in statuses else "up")
    tunnel_list = [tunnels[name] for name in sorted(tunnels)]

    ends = [end for host in hosts for end in host["tunnels"]]
    summary = {
        "hosts": len(hosts),
        "hosts_down": sum(1 for h in hosts if h["status"] == "down"),
        "hosts_missing": len(missing_hosts),
        "tunnels": len(tunnel_list),
        "tunnels_up": sum(1 for t in tunnel_list if t["status"] == "up"),
        "tunnels_down": sum(1 for t in tunnel_list if t["status"] == "down"),
        "ends": len(ends),
        "ends_up": sum(1 for e in ends if e["status"] == "up"),
        "ends_down": sum(1 for e in ends if e["status"] == "down"),
    }
    if summary["ends_down"] or missing_hosts:
        status = "down"
    elif ends:
        status = "up"
    else:
        status = "none"
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "generated_at": generated_at or _now(),
        "status": status,
        "summary": summary,
        "hosts": hosts,
        "missing_hosts": missing_hosts,
        "tunnels": tunnel_list,
    }


def job_stats(report, paths=None):
    """The part of a report that fits in job statistics (``set_stats``; AWX job artifacts).

    Verdicts per tunnel and per end, counts and missing hosts; no SA details, and the report is
    masked already. ``paths``: the files written, by format.
    """
    return {
        "schema_version": report["schema_version"],
        "generated_at": report["generated_at"],
        "status": report["status"],
        "summary": dict(report["summary"]),
        "tunnels": [
            {"tunnel": t["tunnel"], "status": t["status"],
             "ends": [{"host": e["host"], "status": e["status"], "cause_code": e["cause_code"]} for e in t["ends"]]}
            for t in report["tunnels"]
        ],
        "missing_hosts": [dict(m) for m in report["missing_hosts"]],
        "files": dict(paths or {}),
    }


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------
# JUnit XML
# ---------------------------------------------------------------------------------------


def _end_summary(end):
    phase1 = end.get("phase1") or {}
    phase2 = end.get("phase2") or {}
    traffic = end.get("traffic") or {}
    lines = [
        "status: {}".format(end["status"]),
        "peer: {} ({})".format(end.get("peer"), end.get("peer_address")),
        "phase 1: {} (state {})".format("up" if phase1.get("up") else "down", phase1.get("state")),
        "phase 2: {}".format("up" if phase2.get("up") else "down"),
    ]
    for sel in phase2.get("selectors") or []:
        lines.append("  {} <-> {}: {}, encaps {}, decaps {}".format(
            sel["local"], sel["remote"], "active" if sel["up"] else ("idle" if sel["found"] else "missing"),
            sel.get("encaps"), sel.get("decaps")))
    for sel in phase2.get("unexpected_selectors") or []:
        lines.append("  unexpected: " + sel)
    if traffic.get("checked"):
        lines.append("traffic: {} (encaps +{}, decaps +{})".format(
            "passed" if traffic.get("passed") else "failed", traffic.get("encaps_delta"), traffic.get("decaps_delta")))
    else:
        lines.append("traffic: not checked ({})".format(traffic.get("reason")))
    return "\n".join(lines)


def render_junit(report):
    """JUnit XML: one ``testsuite`` per host, one ``testcase`` per tunnel end.

    A down end is a ``failure`` (``type`` = cause code, ``message`` = probable cause); a host
    without a result is a suite with one ``error`` testcase.
    """
    root = ElementTree.Element("testsuites", {"name": "ipsec.vpn verify"})
    timestamp = str(report.get("generated_at", ""))[:19]
    total = failures = errors = 0
    for host in report["hosts"]:
        cases = host["tunnels"]
        down = [end for end in cases if end["status"] != "up"]
        suite = ElementTree.SubElement(root, "testsuite", {
            "name": str(host["host"]),
            "hostname": str(host["host"]),
            "tests": str(len(cases)),
            "failures": str(len(down)),
            "errors": "0",
            "skipped": "0",
            "time": "0",
            "timestamp": timestamp,
        })
        props = ElementTree.SubElement(suite, "properties")
        ElementTree.SubElement(props, "property", {"name": "platform", "value": str(host.get("platform"))})
        for end in cases:
            case = ElementTree.SubElement(suite, "testcase", {
                "classname": "ipsec.vpn.verify.{}".format(host["host"]),
                "name": end["tunnel"],
                "time": "0",
            })
            if end["status"] != "up":
                failure = ElementTree.SubElement(case, "failure", {
                    "type": str(end.get("cause_code")),
                    "message": "{} (peer {}): {}".format(end["tunnel"], end.get("peer"), end.get("cause")),
                })
                failure.text = (end.get("detail") or "") + ("\n" if end.get("detail") else "") + _end_summary(end)
            out = ElementTree.SubElement(case, "system-out")
            out.text = _end_summary(end)
        total += len(cases)
        failures += len(down)
    for item in report.get("missing_hosts") or []:
        suite = ElementTree.SubElement(root, "testsuite", {
            "name": item["host"], "hostname": item["host"], "tests": "1", "failures": "0", "errors": "1",
            "skipped": "0", "time": "0", "timestamp": timestamp,
        })
        case = ElementTree.SubElement(suite, "testcase", {
            "classname": "ipsec.vpn.verify.{}".format(item["host"]), "name": "verification", "time": "0"})
        error = ElementTree.SubElement(case, "error", {"type": "NO_RESULT", "message": item["reason"]})
        error.text = item["reason"]
        total += 1
        errors += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("time", "0")
    _indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def _indent(elem, level=0):
    # ElementTree.indent() exists only from Python 3.9.
    pad = "\n" + "  " * level
    if len(elem):
        if not (elem.text or "").strip():
            elem.text = pad + "  "
        for child in elem:
            _indent(child, level + 1)
        if not (child.tail or "").strip():
            child.tail = pad
    if level and not (elem.tail or "").strip():
        elem.tail = pad


# ---------------------------------------------------------------------------------------
# Markdown + Mermaid
# ---------------------------------------------------------------------------------------


def _md(text):
    """Text safe inside a Markdown table cell."""
    return str("" if text is None else text).replace("|", "\\|").replace("\n", " ")


def _mermaid_text(text):
    """Text safe inside a quoted Mermaid label."""
    return str(text).replace('"', "#quot;").replace("\n", " ")


def mermaid(report):
    """``graph LR`` of the gateways: one edge per tunnel, ``linkStyle N`` green (up) / red (down) / orange."""
    nodes = {}
    lines = ["graph LR"]

    def node(name):
        if name not in nodes:
            nodes[name] = "n{}".format(len(nodes))
            lines.append('    {}["{}"]'.format(nodes[name], _mermaid_text(name)))
        return nodes[name]

    for host in report["hosts"]:
        node(host["host"])
    for item in report.get("missing_hosts") or []:
        node(item["host"])
    edges = []
    for tunnel in report["tunnels"]:
        ends = tunnel["ends"]
        first = ends[0]
        a = node(first["host"])
        b = node(first["peer"] or "?")
        verified = sum(1 for end in ends if end["status"] != "missing")
        label = "{}: {}".format(tunnel["tunnel"], tunnel["status"])
        if verified < 2:
            label += " ({} of 2 ends verified)".format(verified)
        edges.append((a, b, label, COLOURS[tunnel["status"]]))
    for a, b, label, _colour in edges:
        lines.append('    {} ---|"{}"| {}'.format(a, _mermaid_text(label), b))
    for number, (_a, _b, _label, colour) in enumerate(edges):
        lines.append("    linkStyle {} stroke:{},stroke-width:3px".format(number, colour))
    return "\n".join(lines)


def render_markdown(report):
    summary = report["summary"]
    out = [
        "# IPsec VPN verification",
        "",
        "Generated {} - overall **{}**: {} tunnel(s), {} up, {} down; {} tunnel end(s) on {} host(s), "
        "{} down{}.".format(
            report["generated_at"], report["status"].upper(), summary["tunnels"], summary["tunnels_up"],
            summary["tunnels_down"], summary["ends"], summary["hosts"], summary["ends_down"],
            "; {} host(s) without a result".format(summary["hosts_missing"]) if summary["hosts_missing"] else ""),
        "",
        "## Topology",
        "",
        "Each edge is a tunnel: green when every verified end is up, red when an end is down, orange when an "
        "end has no result.",
        "",
        "```mermaid",
        mermaid(report),
        "```",
        "",
        "## Tunnel ends",
        "",
        "| host | tunnel | peer | status | phase 1 | phase 2 | traffic | cause |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for host in report["hosts"]:
        for end in host["tunnels"]:
            phase1 = end.get("phase1") or {}
            phase2 = end.get("phase2") or {}
            traffic = end.get("traffic") or {}
            if traffic.get("checked"):
                traffic_text = "{} (+{}/+{})".format("passed" if traffic.get("passed") else "failed",
                                                     traffic.get("encaps_delta"), traffic.get("decaps_delta"))
            else:
                traffic_text = "not checked"
            out.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                _md(host["host"]), _md(end["tunnel"]), _md(end.get("peer")),
                "**{}**".format(end["status"]) if end["status"] != "up" else end["status"],
                _md("{} {}".format("up" if phase1.get("up") else "down", phase1.get("state") or "").strip()),
                "up" if phase2.get("up") else "down", _md(traffic_text),
                _md(end.get("cause_code") or "")))
    failed = [(host["host"], end) for host in report["hosts"] for end in host["tunnels"] if end["status"] != "up"]
    if failed:
        out += ["", "## Failures", ""]
        for name, end in failed:
            line = "- **{} / {}** (peer {}): `{}` {}".format(
                name, end["tunnel"], end.get("peer"), end.get("cause_code"), end.get("cause"))
            if end.get("detail"):
                line += " - {}".format(end["detail"])
            out.append(line)
    if report.get("missing_hosts"):
        out += ["", "## Hosts without a result", ""]
        out += ["- **{}**: {}".format(item["host"], item["reason"]) for item in report["missing_hosts"]]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------

_RENDERERS = {"json": render_json, "junit": render_junit, "markdown": render_markdown}


def write_report(report, dest, formats=FORMATS):
    """Write the report into directory ``dest`` (created if needed); return ``{format: path}``.

    Each file is written to a temporary name and renamed, so a reader never sees half a file.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ReportError("unknown report format(s): {} (known: {})".format(", ".join(unknown), ", ".join(FORMATS)))
    os.makedirs(dest, exist_ok=True)
    paths = {}
    for fmt in formats:
        text = _RENDERERS[fmt](report)
        path = os.path.join(dest, FILE_NAMES[fmt])
        files.write_atomic(path, text, 0o644)
        paths[fmt] = path
    return paths
