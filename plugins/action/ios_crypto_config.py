# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``ipsec.vpn.ios_crypto_config``: render a host's plan for IOS, or converge the device on it.

A thin shell: rendering, running-config recognition, the diff and the push sequence live in
``module_utils/ios``; this file only reads the arguments, talks to the network_cli connection and writes files.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.connection import Connection, ConnectionError
from ansible.plugins.action import ActionBase
from ansible_collections.ipsec.vpn.plugins.module_utils import files as files_mod
from ansible_collections.ipsec.vpn.plugins.module_utils import masking
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import diff, push, render
from ansible_collections.ipsec.vpn.plugins.module_utils.ios.running import Running
from ansible_collections.ipsec.vpn.plugins.plugin_utils.ios_cli import CliDevice

ARGUMENT_SPEC = {
    "plan": {"type": "dict"},
    "state": {"type": "str", "choices": ["present", "absent", "rendered"], "default": "present"},
    "save_config": {"type": "bool", "default": False},
    "commit_confirm_minutes": {"type": "int"},
    "revert_on_error": {"type": "bool", "default": True},
    "verify": {"type": "bool", "default": True},
    "clear_sessions": {"type": "bool", "default": True},
    "running_config": {"type": "str"},
    "render_dir": {"type": "path"},
    "masked_copy": {"type": "bool", "default": True},
}


PLAN_VAR = "ipsec_vpn_plan"


def plain(value):
    """Plain JSON-like data from templated variables (vaulted strings become ``str``)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return dict((to_text(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    return to_text(value)


class _OfflineDevice(object):
    """A running-config given as text: diff only, nothing can be sent."""

    def __init__(self, text):
        self._text = text

    def get_config(self):
        return self._text

    def send(self, line):
        raise push.DeviceError("running_config was given: nothing is sent to a device")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        state = args["state"]
        plan = args["plan"]
        if plan is None and state != "absent":
            if PLAN_VAR not in task_vars:
                result.update(failed=True, msg="no plan: pass 'plan' or set the fact %s (ipsec.vpn.plan)" % PLAN_VAR)
                return result
            plan = self._templar.template(task_vars[PLAN_VAR])
        plan = plain(plan or {})
        host = to_text(task_vars.get("inventory_hostname") or plan.get("host") or "")
        try:
            want = render.intended_nodes(plan) if state != "absent" else []
        except (render.RenderError, KeyError, TypeError, ValueError) as err:
            result.update(failed=True, msg="%s: cannot render the plan for IOS: %s" % (host, to_text(err)))
            return result
        if state == "rendered":
            return self._rendered(result, plan, want, args, host)
        convergeable = plan.get("platform") == "ios" and plan.get("kind") in ("gateway", "inside_router")
        if state == "present" and not convergeable:
            result.update(failed=True, msg="%s: the plan is not an IOS gateway or inside router (kind %s, platform "
                          "%s); nothing to converge. Use state=absent to remove the collection's configuration."
                          % (host, plan.get("kind"), plan.get("platform")))
            return result
        if args["running_config"] is not None:
            device = _OfflineDevice(args["running_config"])
            check_mode = True
        else:
            connection = (self._play_context.connection or "").split(".")[-1]
            if connection != "network_cli":
                result.update(failed=True, msg="%s: ipsec.vpn.ios_crypto_config needs ansible_connection "
                              "ansible.netcommon.network_cli (got %s)" % (host, self._play_context.connection))
                return result
            device = CliDevice(Connection(self._connection.socket_path))
            check_mode = self._task.check_mode
        try:
            outcome = push.converge(
                device,
                want,
                check_mode=check_mode,
                commit_confirm_minutes=args["commit_confirm_minutes"],
                revert_on_error=args["revert_on_error"],
                verify=args["verify"],
                save=args["save_config"],
                clear_sessions=state == "absent" and args["clear_sessions"],
                host=host,
            )
        except push.PushError as err:
            result.update(err.result)
            result.update(failed=True, msg=err.msg)
            return result
        except ConnectionError as err:
            secrets = push.secrets_of(want)
            result.update(failed=True, msg="%s: %s" % (host, masking.mask(to_text(err), secrets)))
            return result
        result.update(outcome)
        if outcome.get("converged") is False and not check_mode:
            self._display.warning("%s: the device still differs from the intent after the push: %s"
                                  % (host, "; ".join(outcome.get("not_converged", []))))
        return result

    def _rendered(self, result, plan, want, args, host):
        text = render.render_text(plan, want)
        masked = render.render_text(plan, want, masked=True)
        secret = render.has_secrets(want)
        result.update(changed=False, rendered=masked, has_secrets=secret,
                      commands=[c.masked for c in _fresh_commands(want)])
        directory = args["render_dir"]
        if not directory:
            return result
        files = {"config": os.path.join(directory, "%s.cfg" % host)}
        if args["masked_copy"]:
            files["masked"] = os.path.join(directory, "%s.masked.cfg" % host)
        result["files"] = files
        if self._task.check_mode:
            return result
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o700 if secret else 0o750)
            result["changed"] = True
        changed = files_mod.write_atomic(files["config"], text, 0o600 if secret else 0o644)
        if args["masked_copy"]:
            changed = files_mod.write_atomic(files["masked"], masked, 0o644) or changed
        result["changed"] = result["changed"] or changed
        return result


def _fresh_commands(want):
    """The command list a device without any of this configuration would get."""
    return diff.compute(want, Running([])).commands
