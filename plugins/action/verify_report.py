# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``ipsec.vpn.verify_report``: a thin shell around ``module_utils.report``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible_collections.ipsec.vpn.plugins.module_utils import report

ARGUMENT_SPEC = {
    "dest": {"type": "path", "default": "ipsec-vpn-build/reports"},
    "formats": {"type": "list", "elements": "str", "default": list(report.FORMATS), "choices": list(report.FORMATS)},
    "results": {"type": "list", "elements": "dict"},
    "hosts": {"type": "list", "elements": "str"},
    "missing": {"type": "list", "elements": "str"},
    "fact": {"type": "str", "default": "ipsec_vpn_verify"},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        results = args.get("results")
        missing = {}
        if results is None:
            results, missing = self._collect(task_vars, args)
        for host in args.get("missing") or []:
            missing.setdefault(host, "no verification result (unreachable, failed or skipped before the verdict)")
        dest = args["dest"]
        if not os.path.isabs(dest):
            dest = os.path.abspath(dest)
        try:
            built = report.build_report(results, missing=missing)
            if self._task.check_mode:
                paths = dict((fmt, os.path.join(dest, report.FILE_NAMES[fmt])) for fmt in args["formats"])
                result.update(changed=False, paths=paths, msg="check mode: the report was not written")
            else:
                paths = report.write_report(built, dest, args["formats"])
                result.update(changed=True, paths=paths)
        except (ValueError, OSError) as err:
            result.update(failed=True, msg="verify_report: %s" % to_text(err))
            return result
        result["stats"] = report.job_stats(built, paths)
        result["status"] = built["status"]
        result["summary"] = built["summary"]
        result["missing_hosts"] = built["missing_hosts"]
        if "msg" not in result:
            result["msg"] = "report %s: %d of %d tunnel(s) up, written to %s" % (
                built["status"], built["summary"]["tunnels_up"], built["summary"]["tunnels"], dest)
        return result

    @staticmethod
    def _collect(task_vars, args):
        """Verdicts of the play's hosts that are still running; hosts that dropped out are missing."""
        hostvars = task_vars.get("hostvars") or {}
        active = args.get("hosts")
        if active is None:
            active = list(task_vars.get("ansible_play_hosts") or [])
        everyone = list(task_vars.get("ansible_play_hosts_all") or active)
        results = []
        missing = {}
        for host in active:
            verdict = (hostvars.get(host) or {}).get(args["fact"])
            if isinstance(verdict, dict) and isinstance(verdict.get("tunnels"), list):
                results.append(dict(verdict, host=verdict.get("host") or host))
            else:
                missing[host] = "no verification result (%s is not set)" % args["fact"]
        for host in everyone:
            if host not in active:
                missing.setdefault(host, "the host failed or was unreachable before the verdict")
        return results, missing
