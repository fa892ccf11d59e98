"""Running playbooks/verify.yml from the end-to-end tests and reading its report."""

import json
import os
from xml.etree import ElementTree

import playbook_runner
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VERIFY_PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "verify.yml")
ANSIBLE_PLAYBOOK = playbook_runner.ANSIBLE_PLAYBOOK


def write_vars(path, intent, extra_vars=None):
    """A YAML file with ``ipsec_vpn_intent`` (and ``extra_vars``), for ``-e @path``."""
    data = {"ipsec_vpn_intent": intent}
    data.update(extra_vars or {})
    with open(path, "w") as stream:
        stream.write("---\n" + yaml.safe_dump(data, sort_keys=True))
    return path


def run_playbook(inventory, playbook, workdir, *args, env=None, timeout=600):
    """Run ``playbook``; returns the CompletedProcess (stdout + stderr in ``.output``)."""
    run_env = {"ANSIBLE_DEPRECATION_WARNINGS": "False", "ANSIBLE_PERSISTENT_COMMAND_TIMEOUT": "60",
               "ANSIBLE_PERSISTENT_CONNECT_TIMEOUT": "15"}
    run_env.update(env or {})
    return playbook_runner.run(playbook, inventory, *args, workdir=workdir,
                               home=os.path.join(REPO_ROOT, "build", "ansible-home"), timeout=timeout, env=run_env)


def run_verify(inventory, workdir, *args, env=None, timeout=600):
    """Run playbooks/verify.yml."""
    return run_playbook(inventory, VERIFY_PLAYBOOK, workdir, *args, env=env, timeout=timeout)


def read_report(directory):
    """``(json_report, junit_root, markdown_text, raw_texts)`` of a report directory."""
    texts = {}
    for name in ("verify.json", "verify-junit.xml", "verify.md"):
        with open(os.path.join(directory, name)) as stream:
            texts[name] = stream.read()
    return (json.loads(texts["verify.json"]), ElementTree.fromstring(texts["verify-junit.xml"]), texts["verify.md"],
            texts)


def ends(report):
    """``{(host, tunnel): end}`` of a JSON report."""
    return {(host["host"], end["tunnel"]): end for host in report["hosts"] for end in host["tunnels"]}


def junit_cases(root):
    """``{(host, tunnel): testcase element}``."""
    return {(suite.get("name"), case.get("name")): case for suite in root.findall("testsuite")
            for case in suite.findall("testcase")}


def edge_colours(markdown):
    """``{edge label: colour}`` of the Mermaid block (edge i is coloured by ``linkStyle i``)."""
    block = markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0].splitlines()
    labels = [line.split('---|"', 1)[1].split('"|', 1)[0] for line in block if '---|"' in line]
    styles = {}
    for line in block:
        words = line.split()
        if words and words[0] == "linkStyle":
            styles[int(words[1])] = words[2].split(",")[0].split(":")[1]
    return {label: styles[number] for number, label in enumerate(labels)}
