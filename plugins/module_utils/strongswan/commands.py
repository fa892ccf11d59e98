# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shell commands that read and change a strongSwan gateway, and the parser of what the read prints.

Every command that talks to charon, ``ip`` or ``nft`` runs under ``timeout``, so a hung daemon fails the host in
bounded time. File contents travel on standard input, never on a command line, so no key shows in a process list
or a log of the commands. Pure Python: building strings and parsing text.
"""

import base64
import json
import shlex

from ansible_collections.ipsec.vpn.plugins.module_utils.strongswan import render, state

TIMED_OUT = 124  # exit code of coreutils timeout when the time limit hit


def q(value):
    return shlex.quote(str(value))


def as_one_command(script):
    """A multi-line script as one ``sh -c`` command line."""
    return "sh -c " + q(script)


def bounded(argv, seconds):
    """``timeout -k 5 <seconds> <argv...>``: SIGTERM at the limit, SIGKILL 5 s later."""
    return f"timeout -k 5 {int(seconds)} " + " ".join(q(a) for a in argv)


def folder_path(options, folder):
    return options["conf_dir"] if folder == render.CONF else options["state_dir"]


def file_path(options, folder, name):
    return f"{folder_path(options, folder).rstrip('/')}/{name}"


def read_script(options):
    """One shell script that prints everything :func:`parse_read` needs, in ``@@`` sections.

    ``options``: ``conf_dir``, ``state_dir``, ``file_prefix``, ``apply``, ``vici_socket``, ``manage_routes``,
    ``route_protocol``, ``manage_firewall``, ``firewall_table``, ``command_timeout``. Only the collection's files
    (marker line) that are not the keys file have their content printed; the keys file only has its digest."""
    prefix = options["file_prefix"]
    conf, st = q(options["conf_dir"]), q(options["state_dir"])
    seconds = options["command_timeout"]
    lines = [
        f"marker={q('# ' + render.MARKER)}",
        f"secrets={q(render.secrets_file_name(prefix))}",
        "emit() {",
        '  [ -f "$2" ] || return 0',
        '  m=0; grep -qxF -- "$marker" "$2" && m=1',
        "  printf '@@file %s %s %s %s %s\\n' \"$1\" \"$(stat -c %a -- \"$2\")\" "
        "\"$(sha256sum < \"$2\" | cut -d' ' -f1)\" \"$m\" \"${2##*/}\"",
        '  if [ "$m" = 1 ] && [ "${2##*/}" != "$secrets" ]; then base64 < "$2" | tr -d "\\n"; fi',
        "  echo",
        "}",
        f"printf '@@dirs %s %s\\n' \"$(stat -c %a -- {conf} 2>/dev/null || echo -)\" "
        f"\"$(stat -c %a -- {st} 2>/dev/null || echo -)\"",
        f"for f in {conf}/{q(prefix)}*.conf; do emit conf \"$f\"; done",
        f"for f in {st}/{q(prefix)}*.link.sh {st}/{q(render.firewall_file_name(prefix))}; do emit state \"$f\"; done",
        "echo @@record",
        f"[ -f {st}/{q(state.record_file_name(prefix))} ] && cat {st}/{q(state.record_file_name(prefix))}",
        "echo",
    ]
    if options["apply"]:
        lines += [
            f"if [ -S {q(options['vici_socket'])} ]; then",
            "  echo '@@charon 1'",
            "  echo @@conns",
            f"  {bounded(['swanctl', '--list-conns', '--raw'], seconds)} || echo \"@@error list-conns $?\"",
            "  echo @@sas",
            f"  {bounded(['swanctl', '--list-sas'], seconds)} || echo \"@@error list-sas $?\"",
            "else",
            "  echo '@@charon 0'",
            "fi",
        ]
        if options["manage_routes"]:
            for family in ("4", "6"):
                argv = ["ip", "-j", f"-{family}", "route", "show", "table", "main", "proto",
                        str(options["route_protocol"])]
                lines += [f"echo @@routes{family}", f"{bounded(argv, seconds)} || echo \"@@error routes $?\""]
        if options["manage_firewall"]:
            argv = ["nft", "list", "table", "inet", options["firewall_table"]]
            lines.append(f"{bounded(argv, seconds)} >/dev/null 2>&1; echo \"@@firewall $?\"")
    lines.append("echo @@end")
    return "\n".join(lines) + "\n"


def parse_read(text):
    """The output of :func:`read_script` -> ``observed`` (see :mod:`.state`)."""
    observed = {
        "dirs": {"conf": None, "state": None},
        "files": [],
        "record": None,
        "charon": False,
        "conns": "",
        "sas": "",
        "routes_v4": "",
        "routes_v6": "",
        "firewall_loaded": False,
        "errors": [],
        "complete": False,
    }
    section = None
    buffers = {"conns": [], "sas": [], "routes_v4": [], "routes_v6": [], "record": []}
    pending = None
    for line in text.split("\n"):
        if pending is not None:
            pending["content"] = base64.b64decode(line).decode("utf-8") if line else None
            observed["files"].append(pending)
            pending = None
            continue
        if line.startswith("@@file "):
            _tag, folder, mode, sha, marker, name = line.split(" ", 5)
            pending = {"folder": folder, "name": name, "mode": int(mode, 8), "sha256": sha, "marker": marker == "1"}
            section = None
        elif line.startswith("@@dirs "):
            _tag, conf, st = line.split(" ")
            observed["dirs"] = {"conf": None if conf == "-" else int(conf, 8),
                                "state": None if st == "-" else int(st, 8)}
        elif line == "@@record":
            section = "record"
        elif line.startswith("@@charon "):
            observed["charon"] = line.endswith("1")
            section = None
        elif line in ("@@conns", "@@sas"):
            section = line[2:]
        elif line in ("@@routes4", "@@routes6"):
            section = "routes_v" + line[-1]
        elif line.startswith("@@firewall "):
            observed["firewall_loaded"] = line.split(" ")[1] == "0"
            section = None
        elif line.startswith("@@error "):
            observed["errors"].append(line[len("@@error "):])
        elif line == "@@end":
            observed["complete"] = True
            section = None
        elif section:
            buffers[section].append(line)
    for key in ("conns", "sas", "routes_v4", "routes_v6"):
        observed[key] = "\n".join(buffers[key]).strip("\n") + ("\n" if key == "sas" and buffers[key] else "")
    record = "\n".join(buffers["record"]).strip()
    observed["record"] = json.loads(record)["files"] if record else None
    return observed


def mkdir(path, mode):
    return f"mkdir -p -- {q(path)} && chmod {mode:04o} -- {q(path)}"


def write_file(path, mode, validate=None, seconds=60):
    """Write standard input to ``path`` atomically (a temporary file in the same folder, created private, then
    renamed). ``validate`` (``nft``) checks the temporary file first."""
    directory, _slash, _name = path.rpartition("/")
    check = ""
    if validate == "nft":
        check = f' && {bounded(["nft", "-c", "-f"], seconds)} "$t"'
    return (f"umask 077 && t=$(mktemp {q(directory + '/.ipsec-vpn-XXXXXXXX')}) && trap 'rm -f \"$t\"' EXIT && "
            f"cat > \"$t\" && chmod {mode:04o} \"$t\"{check} && mv -f \"$t\" {q(path)}")


def chmod(path, mode):
    return f"chmod {mode:04o} -- {q(path)}"


def remove(paths):
    return "rm -f -- " + " ".join(q(p) for p in paths)


def remove_tree(path):
    return f"rm -rf -- {q(path)}"


def terminate(name, seconds):
    return bounded(["swanctl", "--terminate", "--ike", name, "--timeout", "10"], seconds)


def initiate(tunnel, child, seconds):
    return bounded(["swanctl", "--initiate", "--ike", tunnel, "--child", child, "--timeout", "10"], seconds)


def load_all(seconds):
    return bounded(["swanctl", "--load-all", "--noprompt"], seconds)


def list_sas(seconds):
    return bounded(["swanctl", "--list-sas"], seconds)


def run_link(path, verb, seconds):
    return bounded(["sh", path, verb], seconds)


def load_firewall(path, seconds):
    return bounded(["nft", "-f", path], seconds)


def delete_firewall(table, seconds):
    return bounded(["nft", "delete", "table", "inet", table], seconds)


def route(verb, route_text, protocol, seconds, family=None):
    """``ip [-4|-6] route <verb> <route words> table main proto N``."""
    argv = ["ip"] + ([family] if family else []) + ["route", verb] + route_text.split(" ")
    return bounded(argv + ["table", "main", "proto", str(protocol)], seconds)


def record_text(digests):
    return json.dumps({"files": digests}, sort_keys=True) + "\n"
