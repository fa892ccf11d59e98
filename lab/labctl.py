#!/usr/bin/env python
"""strongSwan lab: N Linux "sites" in network namespaces, each with sshd and charon.

Usage (as root):
    labctl up [--sites N]      clean leftovers, then build N sites (default 4)
    labctl down                remove everything the lab created (idempotent)
    labctl status              namespaces, daemons, addresses, SA summary
    labctl exec SITE -- CMD    run CMD inside SITE (its network, /etc and /run view)
    labctl ssh SITE [CMD]      ssh into SITE with the lab key
    labctl inventory [--sites N]  print the Ansible inventory for N sites
    labctl facts [--sites N]   print the per-site lab facts as JSON

Only the Python standard library is used, so any python3 >= 3.8 can run it.

Topology (site N, 1 <= N <= MAX_SITES):
    controller (root namespace) ipl-sN 198.18.N.1/30 <-veth-> mgmt0 198.18.N.2/30 (site N)
    site N wan0 100.64.0.(10+N)/24 <-veth-> sN in bridge br0 (namespace ipsec-lab-wan, 100.64.0.1/24)
    site N lo: 10.(10+N).0.1/24 and 10.(10+N).1.1/24 (the site's LAN prefixes)
    IPv6 beside them: wan0 2001:db8:64::(10+N)/64 (next hop 2001:db8:64::1 on br0), lo 2001:db8:(10+N)::1/64 and
    2001:db8:(10+N):1::1/64
"""

import argparse
import contextlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

LAB_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(LAB_DIR)
BUILD_DIR = os.path.join(REPO_ROOT, "build", "lab")
STATE_FILE = os.path.join(BUILD_DIR, "state.json")
LOG_DIR = os.path.join(BUILD_DIR, "logs")
CLIENT_KEY = os.path.join(BUILD_DIR, "id_ed25519")
HOST_KEY = os.path.join(BUILD_DIR, "ssh_host_ed25519_key")
KNOWN_HOSTS = os.path.join(BUILD_DIR, "known_hosts")
SSH_CONFIG = os.path.join(BUILD_DIR, "ssh_config")
PKI_DIR = os.path.join(BUILD_DIR, "pki")

NS_PREFIX = "ipsec-lab-"
WAN_NS = NS_PREFIX + "wan"
ROOT_IF_PREFIX = "ipl-"
NETNS_ETC = "/etc/netns"
ENV_MARKER = "IPSEC_LAB_SITE"

DEFAULT_SITES = 4
MAX_SITES = 20
WAN_PREFIX = ipaddress.ip_network("100.64.0.0/24")
WAN_NEXT_HOP = "100.64.0.1"
# IPv6 beside IPv4 on the WAN and the LANs, from the documentation range (never fd00::/64: the machine's own)
WAN_PREFIX6 = ipaddress.ip_network("2001:db8:64::/64")
WAN_NEXT_HOP6 = "2001:db8:64::1"
WAN_BRIDGE = "br0"
OUTSIDE_IF = "wan0"
MGMT_IF = "mgmt0"

CHARON_CANDIDATES = ("/usr/lib/ipsec/charon", "/usr/libexec/ipsec/charon", "/usr/lib/strongswan/charon")
SSHD = "/usr/sbin/sshd"
SFTP_CANDIDATES = ("/usr/lib/openssh/sftp-server", "/usr/libexec/openssh/sftp-server", "/usr/libexec/sftp-server")
SWANCTL_SUBDIRS = (
    "conf.d", "x509", "x509ca", "x509aa", "x509ocsp", "x509crl", "x509ac",
    "pubkey", "private", "rsa", "ecdsa", "bliss", "pkcs8", "pkcs12",
)


class LabError(Exception):
    pass


# ---------------------------------------------------------------------------
# algorithms every site's charon must offer
#
# Every strongSwan proposal keyword the collection can render (plugins/module_utils/algorithms.py; a unit test keeps
# the two in step), with the `swanctl --list-algs` section and name it needs and the Debian 12 package whose plugin
# provides it. Checking all of them covers every intent the demo and the tests load onto the lab. On Debian, DES,
# 3DES, NULL, the ECP and Brainpool groups and ChaCha20 come only from the openssl plugin, which is in
# libstrongswan-standard-plugins: an install without recommends leaves that package out.
STANDARD = "libstrongswan-standard-plugins"
CORE = "libstrongswan"
LAB_ALGORITHMS = {
    "des": ("encryption", "DES_CBC", STANDARD),
    "3des": ("encryption", "3DES_CBC", STANDARD),
    "aes128": ("encryption", "AES_CBC", CORE),
    "aes192": ("encryption", "AES_CBC", CORE),
    "aes256": ("encryption", "AES_CBC", CORE),
    "null": ("encryption", "NULL", STANDARD),
    "aes128gcm16": ("aead", "AES_GCM_16", STANDARD),
    "aes192gcm16": ("aead", "AES_GCM_16", STANDARD),
    "aes256gcm16": ("aead", "AES_GCM_16", STANDARD),
    "chacha20poly1305": ("aead", "CHACHA20_POLY1305", STANDARD),
    "md5": ("integrity", "HMAC_MD5_96", CORE),
    "sha1": ("integrity", "HMAC_SHA1_96", CORE),
    "sha256": ("integrity", "HMAC_SHA2_256_128", CORE),
    "sha384": ("integrity", "HMAC_SHA2_384_192", CORE),
    "sha512": ("integrity", "HMAC_SHA2_512_256", CORE),
    "prfmd5": ("prf", "PRF_HMAC_MD5", CORE),
    "prfsha1": ("prf", "PRF_HMAC_SHA1", CORE),
    "prfsha256": ("prf", "PRF_HMAC_SHA2_256", CORE),
    "prfsha384": ("prf", "PRF_HMAC_SHA2_384", CORE),
    "prfsha512": ("prf", "PRF_HMAC_SHA2_512", CORE),
    "modp768": ("dh", "MODP_768", CORE),
    "modp1024": ("dh", "MODP_1024", CORE),
    "modp1536": ("dh", "MODP_1536", CORE),
    "modp2048": ("dh", "MODP_2048", CORE),
    "modp3072": ("dh", "MODP_3072", CORE),
    "modp4096": ("dh", "MODP_4096", CORE),
    "modp1024s160": ("dh", "MODP_1024_160", CORE),
    "modp2048s224": ("dh", "MODP_2048_224", CORE),
    "modp2048s256": ("dh", "MODP_2048_256", CORE),
    "ecp256": ("dh", "ECP_256", STANDARD),
    "ecp384": ("dh", "ECP_384", STANDARD),
    "ecp521": ("dh", "ECP_521", STANDARD),
    "curve25519": ("dh", "CURVE_25519", STANDARD),
}
# Keywords the collection can render that no Debian 12 plugin offers (5.9.8 has no AES-GMAC ESP transform in any
# packaged plugin). No lab intent may use them; the unit test checks that.
LAB_UNAVAILABLE = {
    "aes128gmac": "no packaged strongSwan 5.9.8 plugin offers AES-GMAC",
    "aes256gmac": "no packaged strongSwan 5.9.8 plugin offers AES-GMAC",
}


def parse_list_algs(text):
    """`swanctl --list-algs` output -> {section: {name, ...}} ("  AES_CBC[aesni]" under "encryption:")."""
    offered = {}
    section = None
    for line in text.splitlines():
        if line and not line[0].isspace() and line.rstrip().endswith(":"):
            section = line.strip()[:-1]
            offered.setdefault(section, set())
        elif section and line.strip():
            offered[section].add(line.strip().split("[", 1)[0])
    return offered


def missing_algorithms(offered, keywords=None):
    """The proposal keywords whose algorithm `offered` lacks, as (keyword, section, name, package), sorted."""
    missing = []
    for keyword in sorted(keywords if keywords is not None else LAB_ALGORITHMS):
        section, name, package = LAB_ALGORITHMS[keyword]
        if name not in offered.get(section, ()):
            missing.append((keyword, section, name, package))
    return missing


def algorithm_problem(site, missing):
    """One message naming every missing algorithm and the package that provides it, or None."""
    if not missing:
        return None
    items = ", ".join(f"{m[2]} ({m[1]}, proposal keyword {m[0]})" for m in missing)
    packages = " ".join(sorted({m[3] for m in missing}))
    return (f"{site}: charon does not offer {items}, which the lab's intents may use; "
            f"install the Debian package(s) that provide them: apt-get install {packages}")


# ---------------------------------------------------------------------------
# addressing


def site_name(index):
    return f"site{index}"


def site_ns(index):
    return NS_PREFIX + site_name(index)


def site_facts(index):
    """Everything an intent (or a test) needs to know about site ``index``."""
    if not 1 <= index <= MAX_SITES:
        raise LabError(f"site index {index} out of range 1..{MAX_SITES}")
    mgmt = ipaddress.ip_network(f"198.18.{index}.0/30")
    lan_base = 10 + index
    return {
        "name": site_name(index),
        "namespace": site_ns(index),
        "management_prefix": str(mgmt),
        "management_address": str(mgmt.network_address + 2),
        "controller_address": str(mgmt.network_address + 1),
        "management_interface": MGMT_IF,
        "controller_interface": f"{ROOT_IF_PREFIX}s{index}",
        "outside_interface": OUTSIDE_IF,
        "public_address": str(WAN_PREFIX.network_address + 10 + index),
        "public_prefix": str(WAN_PREFIX),
        "next_hop": WAN_NEXT_HOP,
        "lan_prefixes": [f"10.{lan_base}.0.0/24", f"10.{lan_base}.1.0/24"],
        "lan_addresses": [f"10.{lan_base}.0.1", f"10.{lan_base}.1.1"],
        "public_address6": f"2001:db8:64::{lan_base}",
        "public_prefix6": str(WAN_PREFIX6),
        "next_hop6": WAN_NEXT_HOP6,
        "lan_prefixes6": [f"2001:db8:{lan_base}::/64", f"2001:db8:{lan_base}:1::/64"],
        "lan_addresses6": [f"2001:db8:{lan_base}::1", f"2001:db8:{lan_base}:1::1"],
    }


def lab_prefixes(count):
    nets = [WAN_PREFIX, WAN_PREFIX6]
    for i in range(1, count + 1):
        f = site_facts(i)
        nets.append(ipaddress.ip_network(f["management_prefix"]))
        nets.extend(ipaddress.ip_network(p) for p in f["lan_prefixes"] + f["lan_prefixes6"])
    return nets


# ---------------------------------------------------------------------------
# utilities


def log(msg):
    print("labctl: " + msg, flush=True)


def run(cmd, check=True, capture=True, **kwargs):
    res = subprocess.run(cmd, capture_output=capture, text=True, **kwargs, check=False)
    if check and res.returncode != 0:
        detail = (res.stderr or "").strip()
        raise LabError(f"command failed ({res.returncode}): {' '.join(cmd)}\n{detail}")
    return res


def ip(*args, check=True):
    return run(["ip"] + list(args), check=check)


def require_root():
    if os.geteuid() != 0:
        raise LabError("must run as root (network namespaces, /etc/netns, sshd, charon)")


def find_first(candidates, what):
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    raise LabError("{} not found (looked in {})".format(what, ", ".join(candidates)))


def check_programs():
    missing = [t for t in ("ip", "unshare", "nsenter", "ssh", "ssh-keygen", "swanctl") if shutil.which(t) is None]
    if not os.access(SSHD, os.X_OK):
        missing.append(SSHD)
    if missing:
        raise LabError("missing programs: {}".format(", ".join(missing)))
    find_first(CHARON_CANDIDATES, "charon")


def lab_namespaces():
    res = ip("netns", "list", check=False)
    names = []
    for line in (res.stdout or "").splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(NS_PREFIX):
            names.append(name)
    return sorted(names)


def site_namespaces():
    return [n for n in lab_namespaces() if n != WAN_NS]


def ns_pids(ns):
    res = ip("netns", "pids", ns, check=False)
    return [int(p) for p in (res.stdout or "").split() if p.isdigit()]


def proc_comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return None


def marked_pids():
    """Processes started by the lab (they carry ENV_MARKER in their environment)."""
    found = []
    marker = (ENV_MARKER + "=").encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                env = fh.read()
        except OSError:
            continue
        if any(item.startswith(marker) for item in env.split(b"\0")):
            found.append(int(entry))
    return found


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is as good as gone
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def kill_pids(pids, grace=5.0):
    pids = sorted({p for p in pids if p != os.getpid() and pid_alive(p)})
    if not pids:
        return []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.05)
    return pids


def load_state():
    try:
        with open(STATE_FILE) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def write_file(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)
    os.chmod(path, mode)


# ---------------------------------------------------------------------------
# down


def lab_down(quiet=False):
    require_root()
    state = load_state()
    pids = set(marked_pids())
    for site in state.get("sites", {}).values():
        for key in ("charon_pid", "sshd_pid"):
            pid = site.get(key)
            if pid and proc_comm(pid) in ("charon", "sshd"):
                pids.add(pid)
    namespaces = lab_namespaces()
    for ns in namespaces:
        pids.update(ns_pids(ns))
    killed = kill_pids(pids)
    for ns in namespaces:
        ip("netns", "del", ns, check=False)
    # root-namespace ends of the management veths (normally gone with their peer)
    res = ip("-o", "link", "show", check=False)
    stale_links = []
    for line in (res.stdout or "").splitlines():
        parts = line.split(":")
        if len(parts) > 1:
            name = parts[1].strip().split("@")[0]
            if name.startswith(ROOT_IF_PREFIX):
                stale_links.append(name)
    for name in stale_links:
        ip("link", "del", name, check=False)
    removed_etc = []
    if os.path.isdir(NETNS_ETC):
        for entry in os.listdir(NETNS_ETC):
            if entry.startswith(NS_PREFIX):
                shutil.rmtree(os.path.join(NETNS_ETC, entry), ignore_errors=True)
                removed_etc.append(entry)
        with contextlib.suppress(OSError):
            os.rmdir(NETNS_ETC)  # only if nothing else lives there
    if os.path.exists(STATE_FILE):
        os.remove(STATE_FILE)
    if not quiet or namespaces or killed or removed_etc or stale_links:
        log(f"down: removed {len(namespaces)} namespace(s), {len(killed)} process(es), "
            f"{len(removed_etc)} /etc/netns entr(ies), {len(stale_links)} stale link(s)")
    leftovers = lab_namespaces() + [str(p) for p in marked_pids() if pid_alive(p)]
    if leftovers:
        raise LabError("down left things behind: {}".format(", ".join(leftovers)))


# ---------------------------------------------------------------------------
# up


def check_collisions(count):
    """Refuse to build if any lab prefix overlaps a route or address of the root namespace."""
    wanted = lab_prefixes(count)
    existing = []
    for family in ("-4", "-6"):
        res = ip("-j", family, "route", "show", "table", "all")
        for route in json.loads(res.stdout or "[]"):
            dst = route.get("dst", "")
            if dst in ("", "default") or route.get("type") in ("broadcast", "multicast", "anycast"):
                continue
            try:
                net = ipaddress.ip_network(dst, strict=False)
            except ValueError:
                continue
            if net.is_link_local or net.is_multicast:
                continue
            existing.append((net, "route {} dev {}".format(dst, route.get("dev", "?"))))
        res = ip("-j", family, "addr", "show")
        for link in json.loads(res.stdout or "[]"):
            for addr in link.get("addr_info", []):
                net = ipaddress.ip_network("{}/{}".format(addr["local"], addr["prefixlen"]), strict=False)
                what = "address {}/{} on {}".format(addr["local"], addr["prefixlen"], link.get("ifname"))
                existing.append((net, what))
    clashes = []
    for net in wanted:
        for other, what in existing:
            if other.prefixlen == 0 or other.version != net.version:
                continue
            if net.overlaps(other):
                clashes.append(f"{net} overlaps {what}")
    if clashes:
        raise LabError("prefix collision, refusing to build the lab:\n  " + "\n  ".join(clashes))
    res = ip("-o", "link", "show")
    for line in (res.stdout or "").splitlines():
        parts = line.split(":")
        if len(parts) > 1 and parts[1].strip().split("@")[0].startswith(ROOT_IF_PREFIX):
            raise LabError(f"interface {parts[1].strip()} already exists in the root namespace")


def ensure_keys():
    os.makedirs(BUILD_DIR, exist_ok=True)
    for path, comment in ((CLIENT_KEY, "ipsec-lab-client"), (HOST_KEY, "ipsec-lab-host")):
        if not (os.path.exists(path) and os.path.exists(path + ".pub")):
            for stale in (path, path + ".pub"):
                if os.path.exists(stale):
                    os.remove(stale)
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
        os.chmod(path, 0o600)


def read(path):
    with open(path) as fh:
        return fh.read()


def strongswan_conf(facts):
    charon_log = os.path.join(LOG_DIR, "{}-charon.log".format(facts["name"]))
    return """# strongswan.conf for lab {name}, written by lab/labctl (regenerated on every 'up')
charon {{
    load_modular = yes
    plugins {{
        include strongswan.d/charon/*.conf
    }}
}}

include strongswan.d/*.conf

# lab overrides: they come last, so they win over the included defaults
charon {{
    # the kernel has no ESP: do ESP in userspace through a TUN device
    install_routes = yes
    # never negotiate over the management link
    interfaces_ignore = {mgmt_if}
    plugins {{
        kernel-libipsec {{
            load = yes
            # GRE over IPsec protects traffic between the two public addresses themselves; without this
            # the userspace ESP refuses such selectors as conflicting with the IKE traffic
            allow_peer_ts = yes
        }}
        # with allow_peer_ts, IKE packets must be kept out of the tunnel: mark them and let the
        # kernel-netlink policy routing skip marked packets
        socket-default {{
            fwmark = 0x42
        }}
        kernel-netlink {{
            fwmark = !0x42
        }}
        # otherwise IKE packets to on-link peers get routed into the TUN device
        bypass-lan {{
            load = no
        }}
    }}
    filelog {{
        lab {{
            path = {log}
            time_format = %b %e %T
            default = 1
            ike = 2
            cfg = 2
            append = yes
            flush_line = yes
        }}
    }}
}}
""".format(name=facts["name"], mgmt_if=MGMT_IF, log=charon_log)


def sshd_config(facts, sftp):
    return """# sshd_config for lab {name}, written by lab/labctl
ListenAddress {addr}
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile /etc/ssh/lab_authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 100:30:200
MaxSessions 50
AcceptEnv LANG LC_*
Subsystem sftp {sftp}
""".format(name=facts["name"], addr=facts["management_address"], sftp=sftp)


def write_site_etc(facts):
    base = os.path.join(NETNS_ETC, facts["namespace"])
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    # strongSwan
    write_file(os.path.join(base, "strongswan.conf"), strongswan_conf(facts))
    if os.path.isdir("/etc/strongswan.d"):
        shutil.copytree("/etc/strongswan.d", os.path.join(base, "strongswan.d"), symlinks=True)
    else:
        os.makedirs(os.path.join(base, "strongswan.d", "charon"))
    swanctl = os.path.join(base, "swanctl")
    for sub in SWANCTL_SUBDIRS:
        os.makedirs(os.path.join(swanctl, sub))
    os.chmod(os.path.join(swanctl, "private"), 0o700)
    write_file(os.path.join(swanctl, "swanctl.conf"), "# lab {}\ninclude conf.d/*.conf\n".format(facts["name"]))
    # OpenSSH
    ssh = os.path.join(base, "ssh")
    os.makedirs(ssh)
    for name in ("ssh_config", "moduli"):
        if os.path.isfile(os.path.join("/etc/ssh", name)):
            shutil.copy2(os.path.join("/etc/ssh", name), os.path.join(ssh, name))
    if os.path.isdir("/etc/ssh/ssh_config.d"):
        shutil.copytree("/etc/ssh/ssh_config.d", os.path.join(ssh, "ssh_config.d"), symlinks=True)
    sftp = next((p for p in SFTP_CANDIDATES if os.access(p, os.X_OK)), "internal-sftp")
    write_file(os.path.join(ssh, "sshd_config"), sshd_config(facts, sftp))
    shutil.copy2(HOST_KEY, os.path.join(ssh, "ssh_host_ed25519_key"))
    os.chmod(os.path.join(ssh, "ssh_host_ed25519_key"), 0o600)
    shutil.copy2(HOST_KEY + ".pub", os.path.join(ssh, "ssh_host_ed25519_key.pub"))
    write_file(os.path.join(ssh, "lab_authorized_keys"), read(CLIENT_KEY + ".pub"), 0o600)
    write_file(os.path.join(base, "hostname"), facts["name"] + "\n")


def build_wan():
    ip("netns", "add", WAN_NS)
    ip("-n", WAN_NS, "link", "set", "lo", "up")
    ip("-n", WAN_NS, "link", "add", WAN_BRIDGE, "type", "bridge")
    ip("-n", WAN_NS, "addr", "add", f"{WAN_NEXT_HOP}/{WAN_PREFIX.prefixlen}", "dev", WAN_BRIDGE)
    ip("-n", WAN_NS, "addr", "add", f"{WAN_NEXT_HOP6}/{WAN_PREFIX6.prefixlen}", "dev", WAN_BRIDGE, "nodad")
    ip("-n", WAN_NS, "link", "set", WAN_BRIDGE, "up")


def build_site(index):
    f = site_facts(index)
    ns = f["namespace"]
    ip("netns", "add", ns)
    ip("-n", ns, "link", "set", "lo", "up")
    for addr in f["lan_addresses"]:
        ip("-n", ns, "addr", "add", addr + "/24", "dev", "lo")
    # nodad: the addresses are usable at once (duplicate detection would hold them back for a second)
    for addr in f["lan_addresses6"]:
        ip("-n", ns, "addr", "add", addr + "/64", "dev", "lo", "nodad")
    # management link: root namespace <-> site
    mgmt_len = ipaddress.ip_network(f["management_prefix"]).prefixlen
    ip("link", "add", f["controller_interface"], "type", "veth", "peer", "name", MGMT_IF, "netns", ns)
    ip("addr", "add", f"{f['controller_address']}/{mgmt_len}", "dev", f["controller_interface"])
    ip("link", "set", f["controller_interface"], "up")
    ip("-n", ns, "addr", "add", f"{f['management_address']}/{mgmt_len}", "dev", MGMT_IF)
    ip("-n", ns, "link", "set", MGMT_IF, "up")
    # outside link: site <-> WAN bridge
    ip("-n", ns, "link", "add", OUTSIDE_IF, "type", "veth", "peer", "name", f"s{index}", "netns", WAN_NS)
    ip("-n", WAN_NS, "link", "set", f"s{index}", "master", WAN_BRIDGE)
    ip("-n", WAN_NS, "link", "set", f"s{index}", "up")
    ip("-n", ns, "addr", "add", f"{f['public_address']}/{WAN_PREFIX.prefixlen}", "dev", OUTSIDE_IF)
    ip("-n", ns, "link", "set", OUTSIDE_IF, "up")
    ip("-n", ns, "addr", "add", f"{f['public_address6']}/{WAN_PREFIX6.prefixlen}", "dev", OUTSIDE_IF, "nodad")
    ip("-n", ns, "route", "add", "default", "via", f["next_hop"], "dev", OUTSIDE_IF)
    ip("-n", ns, "-6", "route", "add", "default", "via", f["next_hop6"], "dev", OUTSIDE_IF)
    run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
    run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"])
    write_site_etc(f)
    return f


def start_daemons(facts, charon):
    """Start sshd and charon in one private mount namespace with its own /run."""
    sshd_log = os.path.join(LOG_DIR, "{}-sshd.log".format(facts["name"]))
    out_log = os.path.join(LOG_DIR, "{}-daemons.log".format(facts["name"]))
    script = (
        "set -e; hostname \"$3\"; mount -t tmpfs -o mode=0755,size=16m ipsec-lab-run /run; "
        "mkdir -p /run/sshd /run/strongswan; chmod 0755 /run/sshd; "
        f'{SSHD} -f /etc/ssh/sshd_config -E "$1"; exec "$2"'
    )
    env = dict(os.environ)
    env[ENV_MARKER] = facts["name"]
    with open(out_log, "a") as out:
        proc = subprocess.Popen(
            ["ip", "netns", "exec", facts["namespace"], "unshare", "--mount", "--uts", "--propagation", "private",
             "sh", "-c", script, "labctl-daemons", sshd_log, charon, facts["name"]],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env=env, start_new_session=True, close_fds=True,
        )
    return proc


def wait_ready(facts, proc, timeout):
    """Wait until charon answers on vici and sshd sends its banner."""
    deadline = time.monotonic() + timeout
    root = f"/proc/{proc.pid}/root"
    sshd_pid = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LabError("{}: daemons exited early (rc {}), see {}".format(facts["name"], proc.returncode, LOG_DIR))
        if proc_comm(proc.pid) == "charon" and os.path.exists(root + "/run/charon.vici"):
            try:
                sshd_pid = int(read(root + "/run/sshd.pid").strip())
            except (OSError, ValueError):
                sshd_pid = None
            if sshd_pid and ssh_banner(facts["management_address"]):
                break
        time.sleep(0.05)
    else:
        raise LabError("{}: charon/sshd not ready after {:.0f}s, see {}".format(facts["name"], timeout, LOG_DIR))
    res = run(["nsenter", "-t", str(proc.pid), "-m", "-n", "swanctl", "--stats"], check=False)
    if res.returncode != 0:
        raise LabError("{}: swanctl --stats failed: {}".format(facts["name"], res.stderr.strip()))
    check_algorithms(facts["name"], proc.pid)
    return {"charon_pid": proc.pid, "sshd_pid": sshd_pid}


def check_algorithms(site, pid):
    """Fail start-up when the site's charon lacks an algorithm that a lab intent may use."""
    res = run(["nsenter", "-t", str(pid), "-m", "-n", "swanctl", "--list-algs"], check=False)
    if res.returncode != 0:
        raise LabError(f"{site}: swanctl --list-algs failed: {res.stderr.strip()}")
    problem = algorithm_problem(site, missing_algorithms(parse_list_algs(res.stdout)))
    if problem:
        raise LabError(problem)


def ssh_banner(addr):
    try:
        with socket.create_connection((addr, 22), timeout=0.5) as sock:
            return sock.recv(64).startswith(b"SSH-")
    except OSError:
        return False


def write_client_files(count):
    host_pub = read(HOST_KEY + ".pub").split()
    lines = []
    conf = ["# ssh -F build/lab/ssh_config siteN   (written by lab/labctl)"]
    for i in range(1, count + 1):
        f = site_facts(i)
        lines.append("{},{} {} {}".format(f["management_address"], f["name"], host_pub[0], host_pub[1]))
        conf.append(
            "Host {}\n  HostName {}\n  User root\n  IdentityFile {}\n  IdentitiesOnly yes\n"
            "  UserKnownHostsFile {}\n  StrictHostKeyChecking yes\n  BatchMode yes\n  ConnectTimeout 5\n".format(
                f["name"], f["management_address"], CLIENT_KEY, KNOWN_HOSTS)
        )
    write_file(KNOWN_HOSTS, "\n".join(lines) + "\n")
    write_file(SSH_CONFIG, "\n".join(conf))


def make_pki(count):
    """A fresh throwaway PKI for certificate tunnels (lab/pki.py, which needs the cryptography package)."""
    venv_python = os.path.join(REPO_ROOT, ".venv", "bin", "python")
    python = venv_python if os.access(venv_python, os.X_OK) else sys.executable
    if os.path.isdir(PKI_DIR):
        shutil.rmtree(PKI_DIR)
    cmd = [python, os.path.join(LAB_DIR, "pki.py"), PKI_DIR]
    for i in range(1, count + 1):
        facts = site_facts(i)
        cmd += ["--site", "{}={}".format(facts["name"], facts["public_address"])]
    res = run(cmd, check=False)
    if res.returncode != 0:
        raise LabError("making the lab PKI failed (lab/pki.py needs the Python 'cryptography' package; "
                       "scripts/setup.sh puts it in .venv): " + (res.stderr or res.stdout).strip())
    return PKI_DIR


def lab_up(count, timeout=20.0):
    require_root()
    check_programs()
    if not 1 <= count <= MAX_SITES:
        raise LabError(f"--sites must be between 1 and {MAX_SITES}")
    started = time.monotonic()
    lab_down(quiet=True)
    check_collisions(count)
    ensure_keys()
    os.makedirs(LOG_DIR, exist_ok=True)
    for name in os.listdir(LOG_DIR):
        os.remove(os.path.join(LOG_DIR, name))
    charon = find_first(CHARON_CANDIDATES, "charon")
    state = {"sites": {}, "count": count}
    try:
        build_wan()
        procs = []
        for i in range(1, count + 1):
            facts = build_site(i)
            procs.append((facts, start_daemons(facts, charon)))
        for facts, proc in procs:
            info = wait_ready(facts, proc, timeout)
            info.update(facts)
            state["sites"][facts["name"]] = info
        write_client_files(count)
        state["pki"] = make_pki(count)
        state["up_seconds"] = round(time.monotonic() - started, 2)
        write_file(STATE_FILE, json.dumps(state, indent=2) + "\n")
    except BaseException:
        log("up failed, tearing down what was built")
        try:
            lab_down(quiet=True)
        except LabError as exc:
            log(str(exc))
        raise
    log(f"up: {count} site(s) ready in {state['up_seconds']:.2f}s")
    for name, s in state["sites"].items():
        lans = " ".join(s["lan_prefixes"])
        log(f"  {name:<6} mgmt {s['management_address']:<12} public {s['public_address']:<13} lan {lans}")
    log(f"ssh: ssh -F {os.path.relpath(SSH_CONFIG)} site1")
    return state


# ---------------------------------------------------------------------------
# status / exec / ssh


def site_anchor(name):
    """PID of the site's charon: its mount namespace holds the site's /run."""
    state = load_state()
    site = state.get("sites", {}).get(name)
    if not site:
        raise LabError("unknown site {!r} (is the lab up? sites: {})".format(name, ", ".join(state.get("sites", {}))))
    pid = site["charon_pid"]
    if proc_comm(pid) != "charon":
        raise LabError(f"{name}: charon (pid {pid}) is not running")
    return pid


def lab_exec(name, cmd):
    pid = site_anchor(name)
    return subprocess.call(["nsenter", "-t", str(pid), "-m", "-n", "--"] + cmd)


def lab_status():
    namespaces = lab_namespaces()
    state = load_state()
    if not namespaces and not state:
        log("status: lab is down (no namespaces)")
        leftovers = marked_pids() + ([NETNS_ETC] if os.path.isdir(NETNS_ETC) else [])
        if leftovers:
            log(f"status: but leftovers found: {leftovers}")
            return 1
        return 3
    healthy = True
    log("namespaces: {}".format(" ".join(namespaces)))
    for name, site in sorted(state.get("sites", {}).items()):
        ns = site["namespace"]
        charon_ok = proc_comm(site["charon_pid"]) == "charon"
        sshd_ok = proc_comm(site["sshd_pid"]) == "sshd"
        healthy = healthy and charon_ok and sshd_ok and ns in namespaces
        print(f"{name} ({ns})")
        charon_state = "running" if charon_ok else "DEAD"
        sshd_state = "running" if sshd_ok else "DEAD"
        print(f"  charon pid {site['charon_pid']} {charon_state}, sshd pid {site['sshd_pid']} {sshd_state}")
        res = ip("-n", ns, "-br", "addr", "show", check=False)
        for line in (res.stdout or "").splitlines():
            print("  " + line)
        if charon_ok:
            res = run(["nsenter", "-t", str(site["charon_pid"]), "-m", "-n", "swanctl", "--list-sas"], check=False)
            ike = [ln.strip() for ln in res.stdout.splitlines() if ln and not ln.startswith(" ")]
            child = [ln.strip() for ln in res.stdout.splitlines() if ln.startswith("  ") and "#" in ln
                     and ("INSTALLED" in ln or "REKEYING" in ln)]
            print(f"  SAs: {len(ike)} IKE, {len(child)} CHILD")
            for line in ike + child:
                print("    " + line)
    if WAN_NS in namespaces:
        res = ip("-n", WAN_NS, "-br", "addr", "show", WAN_BRIDGE, check=False)
        print("{}\n  {}".format(WAN_NS, (res.stdout or "").strip()))
    return 0 if healthy else 1


def lab_ssh(name, cmd):
    if not os.path.exists(SSH_CONFIG):
        raise LabError(f"no {SSH_CONFIG}: is the lab up?")
    return subprocess.call(["ssh", "-F", SSH_CONFIG, name] + cmd)


# ---------------------------------------------------------------------------
# inventory


def inventory_yaml(count):
    out = [
        "---",
        f"# Ansible inventory for the strongSwan lab (lab/labctl up --sites {count}).",
        f"# Generated by 'lab/labctl inventory --sites {count}'; connection data and lab facts only.",
        "# The VPN intent lives in group_vars/.",
        "all:",
        "  children:",
        "    strongswan:",
        "      hosts:",
    ]
    for i in range(1, count + 1):
        f = site_facts(i)
        out += [
            "        {}:".format(f["name"]),
            "          ansible_host: {}".format(f["management_address"]),
            "          lab_site:",
            "            namespace: {}".format(f["namespace"]),
            "            management_interface: {}".format(f["management_interface"]),
            "            management_address: {}".format(f["management_address"]),
            "            outside_interface: {}".format(f["outside_interface"]),
            "            public_address: {}".format(f["public_address"]),
            "            public_prefix: {}".format(f["public_prefix"]),
            "            next_hop: {}".format(f["next_hop"]),
            "            lan_prefixes: [{}]".format(", ".join(f["lan_prefixes"])),
            "            lan_addresses: [{}]".format(", ".join(f["lan_addresses"])),
            "            public_address6: \"{}\"".format(f["public_address6"]),
            "            public_prefix6: \"{}\"".format(f["public_prefix6"]),
            "            next_hop6: \"{}\"".format(f["next_hop6"]),
            "            lan_prefixes6: [{}]".format(", ".join('"{}"'.format(p) for p in f["lan_prefixes6"])),
            "            lan_addresses6: [{}]".format(", ".join('"{}"'.format(a) for a in f["lan_addresses6"])),
        ]
    out += [
        "      vars:",
        "        ansible_connection: ssh",
        "        ansible_user: root",
        "        ansible_python_interpreter: /usr/bin/python3",
        '        ansible_ssh_private_key_file: "{{ inventory_dir }}/../../build/lab/id_ed25519"',
        '        ansible_ssh_common_args: >-',
        "          -o StrictHostKeyChecking=no",
        "          -o UserKnownHostsFile={{ inventory_dir }}/../../build/lab/known_hosts",
        "          -o IdentitiesOnly=yes",
        "          -o ConnectTimeout=5",
    ]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(prog="labctl", description="strongSwan lab in network namespaces")
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="(re)build the lab")
    p_up.add_argument("--sites", type=int, default=DEFAULT_SITES)
    p_up.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for each site's daemons")
    sub.add_parser("down", help="remove everything the lab created")
    sub.add_parser("status", help="show namespaces, daemons, addresses (rc 0 up, 1 degraded, 3 down)")
    p_exec = sub.add_parser("exec", help="run a command inside a site")
    p_exec.add_argument("site")
    p_exec.add_argument("cmd", nargs=argparse.REMAINDER)
    p_ssh = sub.add_parser("ssh", help="ssh into a site with the lab key")
    p_ssh.add_argument("site")
    p_ssh.add_argument("cmd", nargs=argparse.REMAINDER)
    for name in ("inventory", "facts"):
        p = sub.add_parser(name)
        p.add_argument("--sites", type=int, default=DEFAULT_SITES)
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            lab_up(args.sites, args.timeout)
        elif args.command == "down":
            started = time.monotonic()
            lab_down()
            log("down in %.2fs" % (time.monotonic() - started))
        elif args.command == "status":
            require_root()
            return lab_status()
        elif args.command == "exec":
            require_root()
            cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
            return lab_exec(args.site, cmd or ["sh"])
        elif args.command == "ssh":
            cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
            return lab_ssh(args.site, cmd)
        elif args.command == "inventory":
            sys.stdout.write(inventory_yaml(args.sites))
        elif args.command == "facts":
            print(json.dumps([site_facts(i) for i in range(1, args.sites + 1)], indent=2))
    except LabError as exc:
        print(f"labctl: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
