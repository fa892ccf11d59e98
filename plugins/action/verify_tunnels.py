# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``ipsec.vpn.verify_tunnels``: a thin shell around ``module_utils.verify.verdict``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible_collections.ipsec.vpn.plugins.module_utils import verify
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import PARSERS, canonical_command

ARGUMENT_SPEC = {
    "plan": {"type": "dict", "required": True},
    "outputs": {"type": "dict", "default": {}},
    "before": {"type": "dict"},
    "probes": {"type": "list", "elements": "raw"},
    "diagnoses": {"type": "list", "elements": "raw"},
    "fail_on_down": {"type": "bool", "default": False},
}

FACT = "ipsec_vpn_verify"

# canonical command -> key of verify.verdict's reads
_READ_KEYS = {
    "show crypto isakmp sa": "isakmp_sa",
    "show crypto ikev2 sa": "ikev2_sa",
    "show crypto ipsec sa": "ipsec_sa",
    "swanctl --list-sas": "swanctl_sas",
}


def _text(value):
    if isinstance(value, (list, tuple)):
        return "\n".join(to_text(item) for item in value)
    return to_text(value)


def reads_from_outputs(outputs, what):
    """``{command as typed: output text (or already parsed dict)}`` -> verdict reads."""
    reads = {}
    for command, output in (outputs or {}).items():
        try:
            canonical = canonical_command(to_text(command))
        except ValueError as err:
            raise ValueError("%s: %s" % (what, to_text(err))) from err
        key = _READ_KEYS.get(canonical)
        if key is None:
            raise ValueError("%s: the verdict does not use %r" % (what, to_text(command)))
        if isinstance(output, dict):
            reads[key] = output
        else:
            reads[key] = PARSERS[canonical](_text(output if output is not None else ""))
    return reads


def probes_from_results(items):
    """The ``results`` of a probe loop (or plain dicts) -> ``{tunnel: probe result}``."""
    probes = {}
    for entry in items or []:
        if not isinstance(entry, dict):
            raise ValueError("every probe must be a dict (a loop result or {tunnel, command, output, rc})")
        target = entry.get("item") if isinstance(entry.get("item"), dict) else entry
        name = target.get("tunnel")
        if not name:
            raise ValueError("probe without a tunnel name: %r" % (sorted(entry),))
        if entry.get("skipped") is True or target.get("command") is None:
            target = dict(target, command=None, skipped=target.get("skipped") or "probe not sent")
            probes[name] = verify.probe_result(target, "")
            continue
        output = entry.get("output")
        if output is None:
            output = entry.get("stdout")
        if output is None or output == [] or output == "":
            output = entry.get("msg") or entry.get("stderr") or ""
        probes[name] = verify.probe_result(target, _text(output), entry.get("rc"))
    return probes


def diagnoses_from_results(items):
    """Results of a loop of ``swanctl --initiate`` over down tunnels (``item.name`` is the tunnel) -> outputs."""
    out = {}
    for entry in items or []:
        if not isinstance(entry, dict) or entry.get("skipped"):
            continue
        item = entry.get("item")
        name = item.get("name") if isinstance(item, dict) else None
        if name:
            out[name] = _text(entry.get("stdout", "")) + "\n" + _text(entry.get("stderr", ""))
    return out


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result["changed"] = False
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        plan = args["plan"]
        try:
            reads = reads_from_outputs(args["outputs"], "outputs")
            before = reads_from_outputs(args["before"], "before") if args.get("before") is not None else None
            probes = probes_from_results(args.get("probes")) if args.get("probes") is not None else None
            diagnoses = diagnoses_from_results(args.get("diagnoses"))
            verdict = verify.verdict(plan, reads if verify.required_reads(plan) else None, before, probes, diagnoses)
        except (ValueError, TypeError, KeyError) as err:
            result.update(failed=True, msg="verify_tunnels: %s" % to_text(err))
            return result
        verdict["checked_at"] = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
        result["verify"] = verdict
        result["ansible_facts"] = {FACT: verdict}
        if verdict["status"] == verify.DOWN:
            result["msg"] = verdict["message"]
            if args["fail_on_down"]:
                result["failed"] = True
        else:
            result["msg"] = "%s: %d tunnel(s) up" % (verdict["host"], verdict["summary"]["up"])
        return result
