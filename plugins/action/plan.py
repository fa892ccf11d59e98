# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``ipsec.vpn.plan``: a thin shell around ``module_utils.planner.plan_host``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.ipsec.vpn.plugins.module_utils import intent_checks, masking, pki, planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

display = Display()

ARGUMENT_SPEC = {
    "intent": {"type": "dict"},
    "host": {"type": "str"},
    "hosts": {"type": "list", "elements": "str"},
    "now": {"type": "str"},
    "management": {
        "type": "dict",
        "options": {
            "address": {"type": "str"},
            "port": {"type": "int"},
            "interface": {"type": "str"},
            "controller": {"type": "str"},
            "allow_lockout": {"type": "bool"},
        },
    },
}

INTENT_VAR = "ipsec_vpn_intent"
NOW_VAR = "ipsec_vpn_now"


def plain(value, _copies=None):
    """Plain Python data (dict, list, str, int, float, bool, None) from templated variables.

    Vault-encrypted strings and other string-like objects become ``str``; tuples and sets
    become lists, so the planner (and its JSON digest) only sees JSON types. Keys that are
    not strings (YAML's unquoted ``NO`` or ``1001``) stay as they are, so the planner can
    refuse them instead of planning a gateway named ``False``. A container that contains
    itself (a YAML alias loop) is copied as a loop, never recursed into forever; the planner
    reports it.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    copies = {} if _copies is None else _copies
    if isinstance(value, dict):
        if id(value) in copies:
            return copies[id(value)]
        out = copies[id(value)] = {}
        for key, item in value.items():
            out[_plain_key(key)] = plain(item, copies)
        del copies[id(value)]
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        if id(value) in copies:
            return copies[id(value)]
        out = copies[id(value)] = []
        out.extend(plain(item, copies) for item in value)
        del copies[id(value)]
        return out
    return to_text(value)


def _read_text(path):
    """A file input of the intent, on the controller; relative paths from the directory ansible-playbook runs in."""
    with open(os.path.abspath(os.path.expanduser(path)), encoding="utf-8") as handle:
        return handle.read()


def _plain_key(key):
    if key is None or isinstance(key, (bool, int, float)):
        return key
    return to_text(key)


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
        if args.get("hosts") is not None:
            if args.get("host") is not None or args.get("management") is not None:
                result.update(failed=True, msg="'hosts' plans several hosts, each from its own connection "
                              "variables: it cannot be combined with 'host' or 'management'")
                return result
            return self._run_many(result, task_vars, args, [to_text(h) for h in args["hosts"]])
        host = args.get("host") or task_vars.get("inventory_hostname")
        try:
            intent = args.get("intent")
            if intent is None:
                if INTENT_VAR not in task_vars:
                    result.update(failed=True, msg="no intent: pass 'intent' or define the variable %s" % INTENT_VAR)
                    return result
                loops = [e for e in intent_checks.raw_structure(task_vars[INTENT_VAR]) if e.code == "ALIAS_LOOP"]
                if loops:
                    # templating a loop only says "recursive loop"; name the place instead
                    return self._refused(result, IntentErrors(loops))
                intent = self._templar.template(task_vars[INTENT_VAR])
            intent = pki.read_files(plain(intent), _read_text)
            management = args.get("management")
            if management is None:
                management = self._own_management(task_vars, host)
            else:
                management = dict((k, v) for k, v in plain(management).items() if v is not None)
        except AnsibleError as err:
            result.update(failed=True, msg="cannot template the intent: %s" % to_text(err))
            return result
        try:
            plan = planner.plan_host(intent, host, management)
        except IntentErrors as err:
            return self._refused(result, err)
        # certificate validity: a separate step at an explicit 'now', so that the plan stays free of the clock
        try:
            now = self._now(task_vars, args)
        except ValueError as err:
            result.update(failed=True, msg="now: %s (give an ISO 8601 time with a zone)" % to_text(err))
            return result
        expired, expiring = pki.validity(planner.prepared_for(intent).model, host, now)
        if expired:
            return self._refused(result, IntentErrors(expired))
        for warning in expiring:
            display.warning("%s: %s: %s" % (host, warning.path, warning.message))
        for warning in plan["warnings"]:
            display.warning("%s: %s" % (host, warning))
        result.update(
            plan=plan,
            plan_masked=masking.mask(plan),
            certificate_warnings=[w.as_dict() for w in expiring],
            _ansible_no_log=True,
        )
        return result

    def _now(self, task_vars, args):
        """The time of the validity step: the ``now`` option, the ``ipsec_vpn_now`` variable, else the clock."""
        text = args.get("now") or task_vars.get(NOW_VAR)
        return pki.parse_now(self._templar.template(text)) if text else pki.utc_now()

    @staticmethod
    def _refused(result, err):
        errors = err.as_list()
        lines = ["%s: %s" % (e["path"], e["message"]) if e["path"] else e["message"] for e in errors]
        msg = "ipsec_vpn_intent has %d problem%s (nothing was changed):\n%s" % (
            len(lines),
            "" if len(lines) == 1 else "s",
            "\n".join("- " + line for line in lines),
        )
        if err.note:
            msg += "\n(%s)" % err.note
        result.update(failed=True, errors=errors, msg=msg)
        return result

    def _intent_of(self, task_vars, args):
        """The templated intent as plain data."""
        intent = args.get("intent")
        if intent is None:
            loops = [e for e in intent_checks.raw_structure(task_vars[INTENT_VAR]) if e.code == "ALIAS_LOOP"]
            if loops:
                raise IntentErrors(loops)
            intent = self._templar.template(task_vars[INTENT_VAR])
        return pki.read_files(plain(intent), _read_text)

    def _run_many(self, result, task_vars, args, hosts):
        """Plan every host of ``hosts`` in one go (run once per play): one validation of the intent, each host's
        lockout guard fed from that host's own connection variables, and every refusal of every host reported
        together, so that no host gets a plan while another one is refused."""
        hostvars = task_vars.get("hostvars")
        if args.get("intent") is None and INTENT_VAR not in task_vars:
            result.update(failed=True, msg="no intent: pass 'intent' or define the variable %s" % INTENT_VAR)
            return result
        own = task_vars.get(INTENT_VAR)
        # Hosts normally share one intent (group_vars/all or extra vars): it is templated and prepared once.
        # A host whose raw intent differs is planned from its own, so every plan equals a per-host run.
        groups = []
        try:
            for host in hosts:
                variables = hostvars[host] if hostvars is not None else {}
                if args.get("intent") is not None or hostvars is None:
                    key = None
                else:
                    raw = hostvars.raw_get(host).get(INTENT_VAR)
                    if raw is None:
                        result.update(failed=True, msg="%s: no intent: define the variable %s" % (host, INTENT_VAR))
                        return result
                    key = None if (raw is own or raw == own) else raw
                for group in groups:
                    if group[0] is key or (key is not None and group[0] == key):
                        group[2][host] = self._management_of(variables, host)
                        break
                else:
                    groups.append([key, variables, {host: self._management_of(variables, host)}])
            intents = []
            for key, variables, managements in groups:
                if key is None:
                    intents.append((self._intent_of(task_vars, args), managements))
                else:
                    intents.append((pki.read_files(plain(variables[INTENT_VAR]), _read_text), managements))
        except AnsibleError as err:
            result.update(failed=True, msg="cannot template the intent: %s" % to_text(err))
            return result
        except IntentErrors as err:
            return self._refused(result, err)
        try:
            now = self._now(task_vars, args)
        except ValueError as err:
            result.update(failed=True, msg="now: %s (give an ISO 8601 time with a zone)" % to_text(err))
            return result
        plans = {}
        errors = []
        notes = []
        seen = set()
        refused = []
        expiring = []
        for intent, managements in intents:
            try:
                planned = planner.plan_hosts(intent, managements)
                plans.update(planned)
                certified = sorted(h for h in planned if planned[h].get("pki"))
                model = planner.prepared_for(intent).model if certified else None
                for host in certified:
                    expired, soon = pki.validity(model, host, now)
                    if expired:
                        refused.append(host)
                    for error in expired:
                        marker = (error.path, error.message, error.code)
                        if marker not in seen:
                            seen.add(marker)
                            errors.append(error)
                    expiring.extend((host, w) for w in soon)
            except IntentErrors as err:
                refused.extend(getattr(err, "refused_hosts", []))
                if err.note and err.note not in notes:
                    notes.append(err.note)
                for error in err.errors:
                    marker = (error.path, error.message, error.code)
                    if marker not in seen:
                        seen.add(marker)
                        errors.append(error)
        if errors:
            result["refused_hosts"] = sorted(refused)
            self._refused(result, IntentErrors(errors, note="; ".join(notes) or None))
            if refused:
                result["msg"] += "\nRefused host%s: %s. No host of the play is changed." % (
                    "" if len(refused) == 1 else "s", ", ".join(sorted(refused)))
            return result
        for host, warning in expiring:
            display.warning("%s: %s: %s" % (host, warning.path, warning.message))
        for host in sorted(plans):
            for warning in plans[host]["warnings"]:
                display.warning("%s: %s" % (host, warning))
        result.update(
            plans=plans,
            plans_masked=masking.mask(plans),
            hosts=sorted(plans),
            _ansible_no_log=True,
        )
        return result

    def _management_of(self, variables, host):
        """``{address, port}`` from one host's own (templated) connection variables."""
        management = {}
        address = variables.get("ansible_host")
        if address is not None:
            management["address"] = to_text(address)
        else:
            management["address"] = to_text(host)
        port = variables.get("ansible_port")
        if port is not None:
            try:
                management["port"] = int(port)
            except (TypeError, ValueError):
                pass
        return management

    def _own_management(self, task_vars, host):
        """The host's own connection endpoint; only this host's variables are read."""
        address = task_vars.get("ansible_host")
        port = task_vars.get("ansible_port")
        management = {}
        if address is not None:
            management["address"] = to_text(self._templar.template(address))
        elif host is not None:
            management["address"] = to_text(host)
        if port is not None:
            try:
                management["port"] = int(self._templar.template(port))
            except (TypeError, ValueError):
                pass
        return management
