# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``ipsec.vpn.ios_checkpoint``: take an IOS archive point, or roll the device back to one.

A thin shell around ``module_utils/ios/rollback.py``; it only reads the arguments and talks to network_cli.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.connection import Connection, ConnectionError
from ansible.plugins.action import ActionBase
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import rollback
from ansible_collections.ipsec.vpn.plugins.plugin_utils.ios_cli import CliDevice

ARGUMENT_SPEC = {
    "state": {"type": "str", "choices": ["created", "restored"], "default": "created"},
    "checkpoint": {
        "type": "dict",
        "options": {
            "archive": {"type": "str"},
            "fingerprint": {"type": "str"},
            "lines": {"type": "int"},
        },
    },
    "save_config": {"type": "bool", "default": False},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        host = to_text(task_vars.get("inventory_hostname") or "")
        connection = (self._play_context.connection or "").split(".")[-1]
        if connection != "network_cli":
            result.update(failed=True, msg="%s: ipsec.vpn.ios_checkpoint needs ansible_connection "
                          "ansible.netcommon.network_cli (got %s)" % (host, self._play_context.connection))
            return result
        device = CliDevice(Connection(self._connection.socket_path))
        try:
            if args["state"] == "created":
                if self._task.check_mode:
                    result.update(changed=False, checkpoint=None, msg="check mode: no archive point taken")
                    return result
                result.update(changed=True, checkpoint=rollback.checkpoint(device, host=host))
                return result
            point = args["checkpoint"]
            if not point:
                result.update(failed=True, msg="%s: state=restored needs the checkpoint that state=created "
                              "returned" % host)
                return result
            outcome = rollback.restore(device, point, save=args["save_config"], check_mode=self._task.check_mode,
                                       host=host)
        except rollback.RollbackError as err:
            result.update(err.result)
            result.update(failed=True, msg=err.msg)
            return result
        except ConnectionError as err:
            result.update(failed=True, msg="%s: %s" % (host, to_text(err)))
            return result
        result.update(outcome)
        return result
