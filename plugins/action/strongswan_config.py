# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``ipsec.vpn.strongswan_config``: converge a strongSwan gateway on its plan, report its CHILD_SAs,
back it up, restore it, or remove what the collection installed.

A thin shell: rendering, the comparison of what the host holds with the plan, and every decision live in
``module_utils/strongswan``; this file reads the arguments and runs the commands those functions build over the
host's connection (files travel on standard input).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase
from ansible_collections.ipsec.vpn.plugins.module_utils.strongswan import backup, commands, render, routes, state

ARGUMENT_SPEC = {
    "plan": {"type": "dict"},
    "state": {"type": "str", "choices": ["present", "absent", "status", "backup", "restore"], "default": "present"},
    "apply": {"type": "bool", "default": True},
    "conf_dir": {"type": "str", "default": "/etc/swanctl/conf.d"},
    "state_dir": {"type": "str", "default": "/etc/swanctl/ipsec-vpn"},
    "file_prefix": {"type": "str", "default": "ipsec-vpn-"},
    "vici_socket": {"type": "str", "default": "/run/charon.vici"},
    "keyingtries": {"type": "int", "default": 0},
    "initiate": {"type": "bool", "default": True},
    "manage_links": {"type": "bool", "default": True},
    # teardown only: with a plan the intent decides (gateways.<name>.strongswan.manage_routes)
    "manage_routes": {"type": "bool", "default": True},
    "route_reasons": {"type": "list", "elements": "str", "default": list(routes.DEFAULT_REASONS)},
    "route_protocol": {"type": "int", "default": 145},
    "manage_firewall": {"type": "bool", "default": False},
    "firewall_table": {"type": "str", "default": "ipsec_vpn"},
    "command_timeout": {"type": "int", "default": 60},
    "backup_name": {"type": "str", "default": "previous"},
}

PLAN_VAR = "ipsec_vpn_plan"


class _Failed(Exception):
    def __init__(self, msg):
        super(_Failed, self).__init__(msg)
        self.msg = msg


def plain(value):
    """Plain JSON-like data from templated variables (vaulted strings become ``str``)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return dict((to_text(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    return to_text(value)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        op = args["state"]
        plan = args["plan"]
        if plan is None and op in ("present", "status"):
            if PLAN_VAR not in task_vars:
                result.update(failed=True, msg="no plan: pass 'plan' or set the fact %s (ipsec.vpn.plan)" % PLAN_VAR)
                return result
            plan = self._templar.template(task_vars[PLAN_VAR])
        plan = plain(plan or {})
        host = to_text(task_vars.get("inventory_hostname") or plan.get("host") or "")
        self._host = host
        self._seconds = args["command_timeout"]
        # what goes on the device comes from the plan (the intent), never from task arguments
        settings = render.device_settings(plan) if op in ("present", "status") else {}
        self._opts = dict(args, **settings)
        self._opts["apply"] = args["apply"]
        self._check = bool(self._task.check_mode)
        self._log = []
        try:
            if op in ("present", "status") and not (plan.get("kind") == "gateway" and plan.get("platform") == "strongswan"):
                raise _Failed("%s: the plan is not a strongSwan gateway (kind %s, platform %s)"
                              % (host, plan.get("kind"), plan.get("platform")))
            handler = {"present": self._present, "absent": self._absent, "status": self._status,
                       "backup": self._backup, "restore": self._restore}[op]
            result.update(handler(plan))
        except _Failed as err:
            result.update(failed=True, msg=err.msg)
        except (render.RenderError, backup.BackupError) as err:
            result.update(failed=True, msg="%s: %s" % (host, to_text(err)))
        result["commands"] = self._log
        return result

    # ----------------------------------------------------------------------------------------
    # running commands
    # ----------------------------------------------------------------------------------------

    def _exec(self, label, cmd, data=None, ok=(0,), tolerate=None):
        """Run ``cmd`` on the host (``data`` on its standard input); fail naming ``label`` unless the exit code is
        in ``ok`` or stderr contains ``tolerate``."""
        # one sh -c per command: Ansible appends "&& sleep 0" to the command line, which a script would not take
        stdin = None if data is None else to_bytes(data)
        res = self._low_level_execute_command(commands.as_one_command(cmd), sudoable=True, in_data=stdin)
        rc, out, err = res.get("rc"), to_text(res.get("stdout", "")), to_text(res.get("stderr", ""))
        # ssh runs a command without standard input in a tty, which ends lines with CRLF
        out, err = out.replace("\r\n", "\n"), err.replace("\r\n", "\n")
        self._log.append(label)
        if rc in ok or (tolerate and tolerate in err + out):
            return rc, out, err
        if rc == commands.TIMED_OUT:
            raise _Failed("%s: %s: no answer within %ss (command_timeout)" % (self._host, label, self._seconds))
        raise _Failed("%s: %s failed (rc=%s): %s" % (self._host, label, rc, (err or out).strip()[-2000:]))

    def _read(self):
        options = dict(self._opts, command_timeout=self._seconds)
        _rc, out, _err = self._exec("read the host's state", commands.read_script(options))
        observed = commands.parse_read(out)
        if not observed["complete"]:
            raise _Failed("%s: reading the host's state stopped early: %s" % (self._host, out.strip()[-500:]))
        if observed["errors"]:
            raise _Failed("%s: reading the host's state failed: %s" % (self._host, "; ".join(observed["errors"])))
        return observed

    def _path(self, folder, name):
        return commands.file_path(self._opts, folder, name)

    def _dirs(self, observed):
        changed = False
        # Rendered without applying (a build folder on the controller), conf.d holds the keys file: private.
        conf_mode = 0o755 if self._opts["apply"] else 0o700
        for folder, key, mode in ((render.CONF, "conf", conf_mode), (render.STATE, "state", 0o700)):
            if observed["dirs"][key] != mode:
                if not self._check:
                    self._exec("create %s" % commands.folder_path(self._opts, folder),
                               commands.mkdir(commands.folder_path(self._opts, folder), mode))
                changed = True
        return changed

    def _write(self, item, change, diffs):
        path = self._path(item["folder"], item["name"])
        if self._task.diff and not item["secret"] and change in ("create", "update"):
            diffs.append({"before_header": path, "after_header": path,
                          "before": item.get("before") or "", "after": item["content"]})
        if self._check:
            return
        if change == "mode":
            self._exec("chmod %s" % path, commands.chmod(path, item["mode"]))
            return
        validate = "nft" if item["kind"] == "firewall" and self._opts["apply"] else None
        self._exec("write %s" % path, commands.write_file(path, item["mode"], validate, self._seconds),
                   data=item["content"])

    # ----------------------------------------------------------------------------------------
    # operations
    # ----------------------------------------------------------------------------------------

    def _render_options(self):
        o = self._opts
        return {"file_prefix": o["file_prefix"], "keyingtries": o["keyingtries"],
                "manage_firewall": o["manage_firewall"], "firewall_table": o["firewall_table"]}

    def _present(self, plan):
        o = self._opts
        wanted = render.rendered_files(plan, self._render_options())
        observed = self._read()
        decide = {"file_prefix": o["file_prefix"], "apply": o["apply"], "manage_links": o["manage_links"],
                  "manage_firewall": o["manage_firewall"], "manage_routes": o["manage_routes"],
                  "wanted_routes": routes.wanted_routes(plan, o["route_reasons"], o["manage_links"]),
                  "initiate": o["initiate"], "start_action": o["start_action"]}
        actions = state.present_actions(plan, observed, decide, wanted)
        before = dict(((f["folder"], f["name"]), f.get("content")) for f in observed["files"])
        diffs = []
        changed = self._dirs(observed)
        out = {"files": [], "terminated": [], "deleted": [], "links": [], "firewall_loaded": False,
               "loaded": False, "load_reasons": actions["load"], "routes_added": actions["routes_add"],
               "routes_deleted": actions["routes_delete"], "initiated": []}
        conf_writes = [(f, c) for f, c in actions["write"] if f["kind"] in ("connection", "keys")]
        state_writes = [(f, c) for f, c in actions["write"] if f["kind"] not in ("connection", "keys")]
        for item, change in conf_writes:
            self._write(dict(item, before=before.get((item["folder"], item["name"]))), change, diffs)
            out["files"].append({"path": self._path(item["folder"], item["name"]), "change": change})
        for name in actions["terminate"]:
            if not self._check:
                self._exec("terminate %s" % name, commands.terminate(name, self._seconds), tolerate="no matching SAs")
            out["terminated"].append(name)
        for name in actions["delete_conf"]:
            path = self._path(render.CONF, name)
            if self._task.diff:
                diffs.append({"before_header": path, "after_header": path + " (deleted)",
                              "before": before.get((render.CONF, name)) or "", "after": ""})
            if not self._check:
                self._exec("delete %s" % path, commands.remove([path]))
            out["deleted"].append(path)
        for item, change in [(f, c) for f, c in state_writes if f["kind"] == "link"]:
            self._write(dict(item, before=before.get((item["folder"], item["name"]))), change, diffs)
            out["files"].append({"path": self._path(item["folder"], item["name"]), "change": change})
        for name in actions["links_down"]:
            if not self._check:
                _rc, stdout, _err = self._exec("%s down" % name, commands.run_link(self._path(render.STATE, name),
                                                                                   "down", self._seconds))
                if "CHANGED" in stdout:
                    out["links"].append("%s down" % name)
        for name in actions["delete_links"]:
            path = self._path(render.STATE, name)
            if not self._check:
                self._exec("delete %s" % path, commands.remove([path]))
            out["deleted"].append(path)
        for name in actions["links_up"]:
            if not self._check:
                _rc, stdout, _err = self._exec("%s up" % name, commands.run_link(self._path(render.STATE, name),
                                                                                 "up", self._seconds))
                if "CHANGED" in stdout:
                    out["links"].append("%s up" % name)
        for item, change in [(f, c) for f, c in state_writes if f["kind"] == "firewall"]:
            self._write(dict(item, before=before.get((item["folder"], item["name"]))), change, diffs)
            out["files"].append({"path": self._path(item["folder"], item["name"]), "change": change})
        if actions["firewall_load"]:
            if not self._check:
                path = self._path(render.STATE, render.firewall_file_name(o["file_prefix"]))
                self._exec("load the nftables table", commands.load_firewall(path, self._seconds))
            out["firewall_loaded"] = True
        sas_text = observed["sas"]
        if actions["load"]:
            if not self._check:
                self._exec("swanctl --load-all", commands.load_all(self._seconds))
                self._exec("write the load record",
                           commands.write_file(self._path(render.STATE, state.record_file_name(o["file_prefix"])),
                                               0o600),
                           data=commands.record_text(state.conf_digests(wanted)))
            out["loaded"] = True
        for verb, items in (("del", actions["routes_delete"]), ("replace", actions["routes_add"])):
            for item in items:
                if not self._check:
                    self._exec("ip route %s %s" % (verb, item),
                               commands.route(verb, item, o["route_protocol"], self._seconds))
        if o["apply"] and observed["charon"] and not self._check and o["initiate"] and o["start_action"] == "start":
            if out["loaded"]:
                sas_text = self._exec("swanctl --list-sas", commands.list_sas(self._seconds))[1]
            for tunnel, child in state.initiators(plan["tunnels"], state.parse_sas(sas_text)):
                rc, _o, _e = self._exec("initiate %s" % child, commands.initiate(tunnel, child, self._seconds),
                                        ok=range(0, 256))
                if rc == 0:
                    out["initiated"].append(child)
        changed = changed or bool(out["files"] or out["terminated"] or out["deleted"] or out["links"]
                                  or out["firewall_loaded"] or out["loaded"] or out["routes_added"]
                                  or out["routes_deleted"] or out["initiated"])
        out["changed"] = changed
        if diffs:
            out["diff"] = diffs
        return out

    def _status(self, plan):
        o = self._opts
        rc, text, _err = self._exec("swanctl --list-sas", commands.list_sas(self._seconds), ok=range(0, 256))
        sas = state.parse_sas(text if rc == 0 else "")
        del o
        return {"changed": False, "children_down": state.children_down(plan["tunnels"], sas),
                "ike_sas": sorted(set(state.sa_names(sas)))}

    def _absent(self, plan):
        del plan
        o = self._opts
        observed = self._read()
        mine = state.role_files(observed)
        conf = sorted(f["name"] for f in mine if f["folder"] == render.CONF)
        links = sorted(f["name"] for f in mine if f["folder"] == render.STATE and f["name"].endswith(".link.sh"))
        firewall = any(f["name"] == render.firewall_file_name(o["file_prefix"]) for f in mine)
        out = {"terminated": [], "deleted": [], "links": [], "loaded": False, "routes_deleted": [],
               "firewall_deleted": False}
        apply, charon = o["apply"], observed["charon"]
        if apply and charon and conf:
            names = sorted({n for n in (state.connection_of_file(x, o["file_prefix"]) for x in conf) if n}
                           & set(state.sa_names(state.parse_sas(observed["sas"]))))
            for name in names:
                if not self._check:
                    self._exec("terminate %s" % name, commands.terminate(name, self._seconds),
                               tolerate="no matching SAs")
                out["terminated"].append(name)
        if conf:
            paths = [self._path(render.CONF, n) for n in conf]
            if not self._check:
                self._exec("delete the connection and keys files", commands.remove(paths))
            out["deleted"] += paths
            if apply and charon:
                if not self._check:
                    self._exec("swanctl --load-all", commands.load_all(self._seconds))
                out["loaded"] = True
        if apply and o["manage_links"]:
            for name in links:
                if not self._check:
                    _rc, stdout, _e = self._exec("%s down" % name, commands.run_link(self._path(render.STATE, name),
                                                                                     "down", self._seconds))
                    if "CHANGED" in stdout:
                        out["links"].append("%s down" % name)
        if apply and o["manage_routes"]:
            for family, dst in routes.every_installed_route(observed["routes_v4"], observed["routes_v6"]):
                if not self._check:
                    command = commands.route("del", dst, o["route_protocol"], self._seconds, family=family)
                    self._exec("ip route del %s" % dst, command)
                out["routes_deleted"].append(dst)
        if apply and firewall:
            if not self._check:
                self._exec("delete the nftables table", commands.delete_firewall(o["firewall_table"], self._seconds),
                           tolerate="No such file or directory")
            out["firewall_deleted"] = True
        if observed["dirs"]["state"] is not None:
            if not self._check:
                self._exec("delete %s" % o["state_dir"], commands.remove_tree(o["state_dir"]))
            out["deleted"].append(o["state_dir"])
        out["changed"] = bool(out["terminated"] or out["deleted"] or out["links"] or out["loaded"]
                              or out["routes_deleted"] or out["firewall_deleted"])
        return out

    def _backup(self, plan):
        del plan
        o = self._opts
        observed = self._read()
        where = backup.backup_dir(o["state_dir"], o["backup_name"])
        created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        data = backup.manifest(observed, o["backup_name"], created)
        if not self._check:
            copies = ["rm -rf -- %s" % commands.q(where),
                      commands.mkdir(where + "/" + render.CONF, 0o700),
                      commands.mkdir(where + "/" + render.STATE, 0o700)]
            for f in data["files"]:
                copies.append("cp -p -- %s %s" % (commands.q(self._path(f["folder"], f["name"])),
                                                  commands.q("%s/%s/%s" % (where, f["folder"], f["name"]))))
            self._exec("copy the collection's files to %s" % where, " && ".join(copies))
            self._exec("write %s/%s" % (where, backup.MANIFEST),
                       commands.write_file(where + "/" + backup.MANIFEST, 0o600),
                       data=json.dumps(data, sort_keys=True, indent=1) + "\n")
        return {"changed": True, "backup": data, "backup_dir": where}

    def _restore(self, plan):
        del plan
        o = self._opts
        where = backup.backup_dir(o["state_dir"], o["backup_name"])
        rc, text, _e = self._exec("read %s/%s" % (where, backup.MANIFEST),
                                  "cat -- %s" % commands.q(where + "/" + backup.MANIFEST), ok=range(0, 256))
        if rc != 0:
            raise _Failed("%s: no backup named %r in %s" % (self._host, o["backup_name"], o["state_dir"]))
        manifest = backup.check_manifest(json.loads(text))
        observed = self._read()
        actions = backup.restore_actions(manifest, observed, {
            "apply": o["apply"], "manage_routes": o["manage_routes"], "manage_firewall": o["manage_firewall"],
            "file_prefix": o["file_prefix"]})
        out = {"restored": [], "deleted": [], "loaded": False, "firewall_loaded": False,
               "routes_added": actions["routes_add"], "routes_deleted": actions["routes_delete"], "initiated": [],
               "backup": manifest}
        if not self._check:
            self._dirs(observed)
        for folder, name in actions["delete"]:
            if not self._check:
                self._exec("delete %s" % self._path(folder, name), commands.remove([self._path(folder, name)]))
            out["deleted"].append(self._path(folder, name))
        for folder, name, _mode in actions["copy"]:
            if not self._check:
                self._exec("restore %s" % self._path(folder, name),
                           "cp -p -- %s %s" % (commands.q("%s/%s/%s" % (where, folder, name)),
                                               commands.q(self._path(folder, name))))
            out["restored"].append(self._path(folder, name))
        if actions["firewall_load"]:
            if not self._check:
                path = self._path(render.STATE, render.firewall_file_name(o["file_prefix"]))
                self._exec("load the nftables table", commands.load_firewall(path, self._seconds))
            out["firewall_loaded"] = True
        if actions["load"]:
            if not self._check:
                self._exec("swanctl --load-all", commands.load_all(self._seconds))
                record = self._path(render.STATE, state.record_file_name(o["file_prefix"]))
                if manifest.get("record") is not None:
                    self._exec("write the load record", commands.write_file(record, 0o600),
                               data=commands.record_text(manifest["record"]))
                else:
                    self._exec("delete the load record", commands.remove([record]))
            out["loaded"] = True
        for verb, items in (("del", actions["routes_delete"]), ("replace", actions["routes_add"])):
            for item in items:
                if not self._check:
                    self._exec("ip route %s %s" % (verb, item),
                               commands.route(verb, item, o["route_protocol"], self._seconds))
        if actions["reinitiate"] and not self._check:
            sas = state.parse_sas(self._exec("swanctl --list-sas", commands.list_sas(self._seconds))[1])
            for tunnel, child in backup.still_down(actions["reinitiate"], sas):
                rc, _o, _e = self._exec("initiate %s" % child, commands.initiate(tunnel, child, self._seconds),
                                        ok=range(0, 256))
                if rc == 0:
                    out["initiated"].append(child)
        out["changed"] = bool(out["restored"] or out["deleted"] or out["loaded"] or out["firewall_loaded"]
                              or out["routes_added"] or out["routes_deleted"] or out["initiated"])
        return out
