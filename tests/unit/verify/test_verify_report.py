"""The run report: aggregation, JSON (schema), JUnit XML, Markdown with the Mermaid map, secrets."""

import json
import os
import re
from xml.etree import ElementTree

import jsonschema
import pytest
import verify_helpers as h
from ansible_collections.ipsec.vpn.plugins.module_utils import report, verify

NOW = "2024-05-01T12:00:00+00:00"


@pytest.fixture(scope="module")
def verdicts():
    """site1: s1-s2 up (traffic passed), s1-s3 down (no IKE SA); site2: s1-s2 up; site3 has no result."""
    intent = h.lab_intent()
    site1, site2 = h.plan(intent, "site1"), h.plan(intent, "site2")
    before = h.parse_swanctl(h.fixture("swanctl_site1_before_probe.txt"))
    after = h.parse_swanctl(h.fixture("swanctl_site1_after_probe.txt"))
    targets = {t["tunnel"]: t for t in verify.probe_targets(site1, count=3)}
    probes = {"s1-s2": verify.probe_result(targets["s1-s2"], h.fixture("linux_ping_ok.txt"), rc=0)}
    first = verify.verdict(site1, after, before=before, probes=probes)
    site2_text = (
        "s1-s2: #1, ESTABLISHED, IKEv2, 312b06a4f69254f4_i 808892b49178a6f7_r*\n"
        "  local  '100.64.0.12' @ 100.64.0.12[4500]\n"
        "  remote '100.64.0.11' @ 100.64.0.11[4500]\n"
        "  s1-s2-1: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256\n"
        "    in  ccd1f840,    252 bytes,     3 packets\n"
        "    out cdbd7a0b,    252 bytes,     3 packets\n"
        "    local  10.12.0.0/24\n"
        "    remote 10.11.0.0/24\n"
    )
    second = verify.verdict(site2, h.parse_swanctl(site2_text))
    return first, second


@pytest.fixture(scope="module")
def run_report(verdicts):
    return report.build_report(list(verdicts), missing=["site3"], generated_at=NOW)


def test_aggregation(run_report):
    assert run_report["status"] == "down"
    assert run_report["summary"] == {
        "hosts": 2, "hosts_down": 1, "hosts_missing": 1, "tunnels": 2, "tunnels_up": 1, "tunnels_down": 1,
        "ends": 3, "ends_up": 2, "ends_down": 1,
    }
    tunnels = {t["tunnel"]: t for t in run_report["tunnels"]}
    assert tunnels["s1-s2"]["status"] == "up"
    assert [(e["host"], e["status"]) for e in tunnels["s1-s2"]["ends"]] == [("site1", "up"), ("site2", "up")]
    assert tunnels["s1-s3"]["status"] == "down"
    assert [(e["host"], e["status"]) for e in tunnels["s1-s3"]["ends"]] == [("site1", "down"), ("site3", "missing")]
    assert run_report["missing_hosts"][0]["host"] == "site3"


def test_all_up_report(verdicts):
    up = report.build_report([verdicts[1]], generated_at=NOW)
    assert up["status"] == "up" and up["tunnels"][0]["status"] == "up"
    assert report.build_report([], generated_at=NOW)["status"] == "none"


def test_results_as_mapping_and_missing_reasons(verdicts):
    built = report.build_report({"site2": verdicts[1]}, missing={"site9": "unreachable"}, generated_at=NOW)
    assert [h_["host"] for h_ in built["hosts"]] == ["site2"]
    assert built["missing_hosts"] == [{"host": "site9", "reason": "unreachable"}]


def test_bad_results_are_refused():
    with pytest.raises(report.ReportError):
        report.build_report([{"status": "up"}])
    with pytest.raises(report.ReportError):
        report.build_report("site1")


# --------------------------------------------------------------------------- JSON


def test_json_report_matches_the_schema(run_report):
    data = json.loads(report.render_json(run_report))
    jsonschema.validate(data, report.REPORT_SCHEMA)
    assert data["hosts"][0]["tunnels"][0]["traffic"]["encaps_delta"] == 3


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(status="maybe"),
        lambda d: d["summary"].pop("ends_down"),
        lambda d: d["hosts"][0]["tunnels"][0].update(status="green"),
        lambda d: d["hosts"][0]["tunnels"][0]["phase2"]["selectors"][0].update(encaps="3"),
        lambda d: d["tunnels"][0]["ends"][0].update(status="half"),
    ],
)
def test_schema_rejects_broken_reports(run_report, mutate):
    data = json.loads(report.render_json(run_report))
    mutate(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report.REPORT_SCHEMA)


# --------------------------------------------------------------------------- JUnit


def test_junit_has_one_testcase_per_tunnel_end_and_the_failures(run_report):
    root = ElementTree.fromstring(report.render_junit(run_report))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["site1", "site2", "site3"]
    site1_cases = {c.get("name"): c for c in suites["site1"].findall("testcase")}
    assert sorted(site1_cases) == ["s1-s2", "s1-s3"]
    assert suites["site1"].get("tests") == "2" and suites["site1"].get("failures") == "1"
    assert site1_cases["s1-s2"].find("failure") is None
    failure = site1_cases["s1-s3"].find("failure")
    assert failure.get("type") == "P1_NO_SA"
    assert failure.get("message").startswith("s1-s3 (peer site3): no IKE SA toward the peer")
    assert "phase 1: down" in failure.text
    assert site1_cases["s1-s2"].get("classname") == "ipsec.vpn.verify.site1"
    assert "traffic: passed (encaps +3, decaps +3)" in site1_cases["s1-s2"].find("system-out").text
    (missing_case,) = suites["site3"].findall("testcase")
    assert missing_case.find("error").get("type") == "NO_RESULT"
    assert suites["site2"].find("properties/property").get("value") == "strongswan"


def test_junit_escapes_markup(verdicts):
    odd = json.loads(json.dumps(verdicts[0]))
    odd["tunnels"][1]["detail"] = 'peer said <bad & "ugly">'
    root = ElementTree.fromstring(report.render_junit(report.build_report([odd], generated_at=NOW)))
    failure = root.find("testsuite/testcase[@name='s1-s3']/failure")
    assert 'peer said <bad & "ugly">' in failure.text


# --------------------------------------------------------------------------- Markdown + Mermaid


def _mermaid_block(markdown):
    match = re.search(r"```mermaid\n(.*?)\n```", markdown, re.S)
    assert match, markdown
    return match.group(1).splitlines()


def _edge_colours(lines):
    """{label: colour} from the edge lines and their linkStyle, matched by edge index."""
    edges = [re.match(r'\s+(n\d+) ---\|"(.*)"\| (n\d+)$', line) for line in lines]
    edges = [m for m in edges if m]
    styles = dict(re.findall(r"linkStyle (\d+) stroke:(\w+)", "\n".join(lines)))
    return {m.group(2): styles[str(number)] for number, m in enumerate(edges)}, edges


def test_markdown_has_the_mermaid_map_with_coloured_edges(run_report):
    markdown = report.render_markdown(run_report)
    lines = _mermaid_block(markdown)
    assert lines[0] == "graph LR"
    nodes = dict(re.findall(r'\s+(n\d+)\["([^"]+)"\]', "\n".join(lines)))
    assert sorted(nodes.values()) == ["site1", "site2", "site3"]
    colours, edges = _edge_colours(lines)
    assert colours == {"s1-s2: up": "green", "s1-s3: down (1 of 2 ends verified)": "red"}
    ends = {m.group(2).split(":")[0]: (nodes[m.group(1)], nodes[m.group(3)]) for m in edges}
    assert ends == {"s1-s2": ("site1", "site2"), "s1-s3": ("site1", "site3")}


def test_markdown_tables_and_failures(run_report):
    markdown = report.render_markdown(run_report)
    assert "| site1 | s1-s2 | site2 | up | up ESTABLISHED | up | passed (+3/+3) |  |" in markdown
    assert "| site1 | s1-s3 | site3 | **down** | down | down | failed (+0/+0) | P1_NO_SA |" not in markdown
    assert "| site1 | s1-s3 | site3 | **down** | down | down | not checked | P1_NO_SA |" in markdown
    assert "- **site1 / s1-s3** (peer site3): `P1_NO_SA` no IKE SA" in markdown
    assert "## Hosts without a result" in markdown and "- **site3**:" in markdown


def test_one_end_only_is_labelled_and_orange_when_the_other_end_is_missing(verdicts):
    only_site2 = report.build_report([verdicts[1]], missing=["site1"], generated_at=NOW)
    colours, _edges = _edge_colours(_mermaid_block(report.render_markdown(only_site2)))
    assert colours == {"s1-s2: unknown (1 of 2 ends verified)": "orange"}
    alone = report.build_report([verdicts[1]], generated_at=NOW)
    colours, _edges = _edge_colours(_mermaid_block(report.render_markdown(alone)))
    assert colours == {"s1-s2: up (1 of 2 ends verified)": "green"}


def test_mermaid_labels_cannot_break_the_diagram(verdicts):
    odd = json.loads(json.dumps(verdicts[1]))
    odd["host"] = 'we"ird|host'
    lines = report.mermaid(report.build_report([odd], generated_at=NOW)).splitlines()
    assert '    n0["we#quot;ird|host"]' in lines
    assert all(line.count('"') % 2 == 0 for line in lines)


# --------------------------------------------------------------------------- secrets and files


def test_no_psk_reaches_any_report_format(verdicts):
    leaky = json.loads(json.dumps(verdicts[0]))
    leaky["tunnels"][0]["psk"] = h.PSK_LAB
    leaky["extra"] = {"secret": h.PSK_LAB, "nested": [{"password": h.PSK_LAB}]}
    built = report.build_report([leaky], generated_at=NOW)
    for text in (report.render_json(built), report.render_junit(built), report.render_markdown(built)):
        assert h.PSK_LAB not in text
    assert built["hosts"][0]["tunnels"][0]["psk"] == "********"
    assert leaky["tunnels"][0]["psk"] == h.PSK_LAB  # the input is not modified


def test_write_report_writes_every_format(tmp_path, run_report):
    dest = tmp_path / "reports"
    paths = report.write_report(run_report, str(dest))
    assert sorted(os.path.basename(p) for p in paths.values()) == ["verify-junit.xml", "verify.json", "verify.md"]
    assert json.loads((dest / "verify.json").read_text())["status"] == "down"
    ElementTree.parse(str(dest / "verify-junit.xml"))
    assert (dest / "verify.md").read_text().startswith("# IPsec VPN verification")
    assert sorted(os.listdir(dest)) == ["verify-junit.xml", "verify.json", "verify.md"]  # no temporary leftovers
    paths = report.write_report(run_report, str(dest), formats=["junit"])
    assert list(paths) == ["junit"]


def test_write_report_refuses_unknown_formats(tmp_path, run_report):
    with pytest.raises(report.ReportError, match="html"):
        report.write_report(run_report, str(tmp_path), formats=["json", "html"])
