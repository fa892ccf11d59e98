# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IOS construct table: every configuration construct the collection renders, defined once.

In the spirit of cisco.ios ``rm_templates``, each :class:`Construct` pairs

* ``parser``: a regex over one running-config line (IOS's *displayed* form; the same regex also accepts the typed
  form, so intended lines and device lines go through one parser) and ``getval``, which turns the match into values;
* ``render``: the typed command for those values (what the collection sends and writes to the artifact);
* ``display``: how IOS shows the same values in ``show running-config`` (``encryption des`` is hidden,
  ``encryption aes 256`` is shown as ``encr aes 256``; ``None`` means IOS hides the line); intended and running
  values are compared in this form;
* ``remove``: the ``no`` form;
* ``stage``: dependency order (lower is created first and removed last); a number, or a function of the values;
* ``omit_if``: a predicate over the values: true when the line restates an IOS default and is not sent at all;
* ``children`` of a block render in table order (see :func:`build`);
* diff behaviour as properties instead of name tests: ``compare`` (``lines``: sub-commands one by one, the default;
  ``ordered``: an ACL, whose entries are compared in order; ``replace``: rewritten whole when anything differs),
  ``binds_acl`` (the value that names an ACL this line applies, so a rewritten ACL is unbound first) and
  ``kept_while`` (``(construct, field, own field)``: the line stays while the device holds an object of that
  construct, not owned by the collection, whose ``field`` equals this line's ``own field``);
* ``owner``: how the collection tells that a device object is its own (see :func:`owner_kind` and docs/ios.md):
  ``marker`` (a ``description``/``remark`` starting with :data:`MARKER`), ``ledger`` (listed in the ledger ACL
  :data:`LEDGER_ACL`), ``route_name`` (``ip route ... name`` :data:`ROUTE_NAME`), ``always``, ``never`` or
  ``parent`` (a sub-command belongs to its block).

Pure Python: no ``ansible`` import.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils import acl as aclmod
from ansible_collections.ipsec.vpn.plugins.module_utils import masking
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError

try:
    import netaddr
except ImportError:  # pragma: no cover - netaddr is a hard requirement of the collection
    netaddr = None

MARKER = "ipsec.vpn"
LEDGER_ACL = "IPSEC-VPN-OWNED"
ROUTE_NAME = "IPSEC-VPN"

HOST_MASK = "255.255.255.255"
# plan tunnel_interface.mode -> the words after "tunnel mode"
TUNNEL_MODES = {
    "gre_ip": "gre ip",
    "gre_ipv6": "gre ipv6",
    "ipsec_ipv4": "ipsec ipv4",
    "ipsec_ipv6": "ipsec ipv6",
    "ipsec_ipv4_v6_overlay": "ipsec ipv4 v6-overlay",
    "ipsec_ipv6_v4_overlay": "ipsec ipv6 v4-overlay",
}
IPSEC_LIFETIME_DEFAULTS = {"seconds": 3600, "kilobytes": 4608000}
IKEV2_LIFETIME_DEFAULT = 86400

# IOS interface types, longest first within a shared prefix, for expanding abbreviations (Gi1 -> GigabitEthernet1).
INTERFACE_TYPES = (
    "Ethernet",
    "FastEthernet",
    "GigabitEthernet",
    "TenGigabitEthernet",
    "Serial",
    "Tunnel",
    "Loopback",
    "Port-channel",
    "Vlan",
    "Dialer",
    "Virtual-Template",
    "Cellular",
)
_IFNAME = re.compile(r"^([A-Za-z-]+)\s*([0-9].*)?$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def interface_name(name):
    """Full IOS interface name: ``gi0/1`` -> ``GigabitEthernet0/1``, ``Se0`` -> ``Serial0``; unknown names unchanged."""
    if name is None:
        return None
    text = str(name).strip()
    match = _IFNAME.match(text)
    if not match:
        return text
    word, rest = match.group(1).lower(), match.group(2) or ""
    if word in ("tu", "tun"):
        return "Tunnel" + rest
    if word in ("te", "ten"):
        return "TenGigabitEthernet" + rest
    if word in ("po",):
        return "Port-channel" + rest
    for candidate in INTERFACE_TYPES:
        if candidate.lower().startswith(word):
            return candidate + rest
    return text


def is_ipv4(text):
    return bool(text) and bool(_IPV4.match(str(text)))


def is_ipv6(text):
    """True for an IPv6 address or prefix (``2001:db8::1``, ``2001:DB8::/64``)."""
    if not text or ":" not in str(text) or netaddr is None:
        return False
    try:
        netaddr.IPNetwork(str(text))
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return False
    return True


def ios_ipv6(text):
    """An IPv6 address or prefix as IOS shows it: compressed, upper case (``2001:DB8:FF::1/126``). IOS accepts any
    spelling but always shows this one, so intended and device values are both kept in it. Other text unchanged."""
    if not is_ipv6(text):
        return text
    text = str(text)
    if "/" in text:
        net = netaddr.IPNetwork(text)
        return ("%s/%d" % (net.ip, net.prefixlen)).upper()
    return str(netaddr.IPAddress(text)).upper()


def _address_value(text):
    """An address word of a line: IPv6 in the IOS form, anything else as written."""
    return ios_ipv6(text) if is_ipv6(text) else text


def has_marker(text):
    """True when a description/remark text marks an object as the collection's."""
    return text is not None and str(text).strip().startswith(MARKER)


def marker_text(what):
    """The marker written into a description/remark: ``ipsec.vpn:<tunnel>``."""
    return "%s:%s" % (MARKER, what)


# ---------------------------------------------------------------------------------------------------------------
# The Construct class
# ---------------------------------------------------------------------------------------------------------------


class Construct(object):
    """One IOS construct. See the module docstring for the meaning of each field."""

    def __init__(
        self,
        name,
        parser,
        render,
        display=None,
        remove=None,
        getval=None,
        parent=None,
        key=(),
        stage=0,
        block=False,
        owner="parent",
        absent=None,
        secret=None,
        ledger=None,
        replace_first=False,
        marker=None,
        ordered=False,
        virtual=False,
        summary="",
        omit_if=None,
        compare="lines",
        binds_acl=None,
        kept_while=None,
        stage_label=None,
    ):
        self.name = name
        self.regex = re.compile(parser)
        self._render = render
        self._display = display
        self._remove = remove
        self._getval = getval
        self.parent = parent
        self.key = tuple(key)
        self.stage = stage
        self.block = block
        self._owner = owner
        self.absent = absent
        self.secret = secret
        self.ledger = ledger
        self.replace_first = replace_first
        self.marker = marker
        self.ordered = ordered
        self.virtual = virtual
        self.summary = summary
        self.omit_if = omit_if
        self.compare = compare
        self.binds_acl = binds_acl
        self.kept_while = kept_while
        self.stage_label = stage_label
        self.index = None  # position in TABLE, set by _add

    def __repr__(self):
        return "Construct(%r)" % self.name

    # parsing ---------------------------------------------------------------------------------------------------
    def parse(self, line):
        """Values of one line (stripped of indentation), or None when the line is not this construct."""
        match = self.regex.match(line.strip())
        if not match:
            return None
        values = dict(match.groupdict())
        if self._getval is not None:
            values = self._getval(values)
        return values

    # forms -----------------------------------------------------------------------------------------------------
    @staticmethod
    def _apply(form, values):
        if form is None:
            return None
        if callable(form):
            return form(values)
        return form.format(**values)

    def render(self, values):
        """The typed command."""
        return self._apply(self._render, values)

    def display(self, values):
        """The line as running-config shows it, or None when IOS hides it (a default)."""
        if self._display is None:
            return self.render(values)
        return self._apply(self._display, values)

    def remove(self, values):
        """The ``no`` command."""
        if self._remove is not None:
            return self._apply(self._remove, values)
        shown = self.display(values)
        return "no " + (shown if shown is not None else self.render(values))

    def masked(self, text, values):
        """``text`` (a rendered/displayed/removal line of these values) with the secret replaced."""
        if text is None or not self.secret:
            return text
        secret = values.get(self.secret)
        if not secret:
            return text
        return masking.mask(text, [secret], whole_words=True)

    def stage_of(self, values):
        return self.stage(values) if callable(self.stage) else self.stage

    def omitted(self, values):
        """True when these values restate an IOS default, so the line is not sent."""
        return bool(self.omit_if is not None and self.omit_if(values))

    def identity(self, values):
        return (self.name,) + tuple("" if values.get(k) is None else str(values.get(k)) for k in self.key)

    def owner_kind(self, values):
        if callable(self._owner):
            return self._owner(values)
        return self._owner

    def ledger_words(self, values):
        return [str(values.get(k)) for k in self.key if values.get(k) is not None]


TABLE = []
BY_NAME = {}


def _add(**kwargs):
    construct = Construct(**kwargs)
    if construct.name in BY_NAME:
        raise ValueError("duplicate construct %s" % construct.name)
    construct.index = len(TABLE)
    TABLE.append(construct)
    BY_NAME[construct.name] = construct
    return construct


def children_of(parent_name):
    """Child constructs of a block, in render order."""
    return [c for c in TABLE if c.parent == parent_name]


def top_level():
    return [c for c in TABLE if c.parent is None]


# ---------------------------------------------------------------------------------------------------------------
# value helpers
# ---------------------------------------------------------------------------------------------------------------


def _squash(text):
    return " ".join(str(text).split()) if text is not None else None


def _strip_values(values):
    return dict((k, _squash(v) if isinstance(v, str) else v) for k, v in values.items())


def _ace_display(text):
    """Displayed form of an ACE text; entries the ACL core cannot parse (``log``, ...) are compared as written."""
    try:
        return aclmod.render_ios_ace(text, displayed=True)
    except (AclError, ValueError, TypeError, KeyError):
        return _squash(text)


def _ace_getval(values):
    values = _strip_values(values)
    ace = values["ace"]
    match = re.match(r"^\d+\s+(.*)$", ace)
    if match:  # a sequence number in front (show access-lists style)
        values["ace"] = match.group(1)
    values["canon"] = _ace_display(values["ace"])  # identity: the displayed form (eq 500 and eq isakmp are one)
    return values


_TS_SHORT = re.compile(r"\b(esp-aes|esp-gcm|esp-gmac) 128\b")


def _transforms_display(text):
    return _TS_SHORT.sub(r"\1", _squash(text))


def _isakmp_encryption_display(values):
    value = _squash(values["value"])
    if value == "aes 128":
        value = "aes"
    if value == "des":
        return None
    return "encr " + value


def _hidden_default(word, default):
    def display(values):
        if str(values["value"]) == str(default):
            return None
        return "%s %s" % (word, values["value"])

    return display


def _keepalive_getval(values):
    values = _strip_values(values)
    values["mode"] = values.get("mode") or "on-demand"
    values["retry"] = values.get("retry") or "2"
    return values


def _keepalive_render(values):
    line = "crypto isakmp keepalive %s %s" % (values["interval"], values["retry"])
    if values.get("mode") == "periodic":
        line += " periodic"
    return line


def _isakmp_key_getval(values):
    values = _strip_values(values)
    values["encrypted"] = values.pop("enc", None) == "6"
    address6 = values.pop("address6", None)
    if address6:
        values["address"] = ios_ipv6(address6 if "/" in address6 else address6 + "/128")
    return values


def _isakmp_key_address(values):
    if is_ipv6(values["address"]):  # an IPv6 peer is a prefix after the keyword ipv6
        return "address ipv6 %s" % values["address"]
    if values.get("mask"):
        return "address %s %s" % (values["address"], values["mask"])
    return "address %s" % values["address"]


def _isakmp_key_render(values):
    return "crypto isakmp key %s %s" % (values["key"], _isakmp_key_address(values))


def _isakmp_key_display(values):
    if values.get("encrypted"):
        return "crypto isakmp key 6 %s %s" % (values["key"], _isakmp_key_address(values))
    return _isakmp_key_render(values)


def _isakmp_key_remove(values):
    return "no " + _isakmp_key_display(values)


def _sa_lifetime_display(prefix):
    def display(values):
        if int(values["value"]) == IPSEC_LIFETIME_DEFAULTS[values["kind"]]:
            return None
        return "%s %s %s" % (prefix, values["kind"], values["value"])

    return display


def _pfs_getval(values):
    values = _strip_values(values)
    values["group"] = values.get("group") or "group1"
    return values


def _route_getval(values):
    """``ip route P M [IF] [NH] [distance] [name N] [permanent] [tag T]`` in any order IOS prints."""
    words = _squash(values["rest"]).split()
    out = {"prefix": values["prefix"], "mask": values["mask"], "interface": None, "next_hop": None,
           "distance": None, "name": None, "permanent": False, "tag": None}
    i = 0
    while i < len(words):
        word = words[i]
        if word == "name" and i + 1 < len(words):
            out["name"] = words[i + 1]
            i += 2
            continue
        if word == "tag" and i + 1 < len(words):
            out["tag"] = words[i + 1]
            i += 2
            continue
        if word == "permanent":
            out["permanent"] = True
        elif is_ipv4(word) and out["next_hop"] is None:
            out["next_hop"] = word
        elif word.isdigit() and out["distance"] is None:
            out["distance"] = word
        elif out["interface"] is None and out["next_hop"] is None:
            out["interface"] = interface_name(word)
        i += 1
    return out


def _route_render(values):
    words = ["ip route", values["prefix"], values["mask"]]
    for field in ("interface", "next_hop", "distance"):
        if values.get(field):
            words.append(str(values[field]))
    if values.get("tag"):
        words += ["tag", str(values["tag"])]
    if values.get("permanent"):
        words.append("permanent")
    if values.get("name"):
        words += ["name", values["name"]]
    return " ".join(words)


def _route_remove(values):
    words = ["no ip route", values["prefix"], values["mask"]]
    for field in ("interface", "next_hop"):
        if values.get(field):
            words.append(str(values[field]))
    return " ".join(words)


def _route_owner(values):
    return "always" if values.get("name") == ROUTE_NAME else "never"


def _classful_wildcard(address):
    first = int(str(address).split(".", 1)[0])
    if first < 128:
        return "0.255.255.255"
    if first < 192:
        return "0.0.255.255"
    return "0.0.0.255"


def _network_getval(values):
    values = _strip_values(values)
    if not values.get("wildcard"):
        values["wildcard"] = _classful_wildcard(values["address"])
    return values


def _interface_getval(values):
    return {"name": interface_name(values["name"])}


def _interface_owner(values):
    return "marker" if values["name"].startswith("Tunnel") else "never"


def _interface_stage(values):
    # other interfaces only carry bindings (crypto map, access-group), made after what they bind
    return 70 if _interface_owner(values) == "marker" else 80


def _tunnel_source_getval(values):
    source = _squash(values["source"])
    if is_ipv6(source):
        return {"source": ios_ipv6(source)}
    return {"source": source if is_ipv4(source) else interface_name(source)}


def _one_address_getval(values):
    return dict((k, _address_value(_squash(v)) if isinstance(v, str) else v) for k, v in values.items())


def _peer_address_getval(values):
    values = _one_address_getval(values)
    if is_ipv6(values["address"]) and "/" not in values["address"]:
        values["address"] = ios_ipv6(values["address"] + "/128")
    return values


def _ipv6_route_getval(values):
    """``ipv6 route P/L [IF] [NH] [distance] [name N] [tag T]``."""
    words = _squash(values["rest"]).split()
    out = {"prefix": ios_ipv6(values["prefix"]), "interface": None, "next_hop": None, "distance": None,
           "name": None, "tag": None}
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("name", "tag") and i + 1 < len(words):
            out[word] = words[i + 1]
            i += 2
            continue
        if is_ipv6(word) and out["next_hop"] is None:
            out["next_hop"] = ios_ipv6(word)
        elif word.isdigit() and out["distance"] is None:
            out["distance"] = word
        elif out["interface"] is None and out["next_hop"] is None:
            out["interface"] = interface_name(word)
        i += 1
    return out


def _ipv6_route_render(values):
    words = ["ipv6 route", values["prefix"]]
    for field in ("interface", "next_hop", "distance"):
        if values.get(field):
            words.append(str(values[field]))
    if values.get("tag"):
        words += ["tag", str(values["tag"])]
    if values.get("name"):
        words += ["name", values["name"]]
    return " ".join(words)


def _ipv6_route_remove(values):
    words = ["no ipv6 route", values["prefix"]]
    for field in ("interface", "next_hop"):
        if values.get(field):
            words.append(str(values[field]))
    return " ".join(words)


def _tunnel_mode_display(values):
    return None if values["mode"] == "gre ip" else "tunnel mode " + values["mode"]


def _identity_remote_getval(values):
    values = _strip_values(values)
    if values["kind"] == "address" and is_ipv6(values["value"]):
        value = values["value"]
        values["value"] = ios_ipv6(value if "/" in value else value + "/128")
        values["mask"] = None
    elif values["kind"] == "address":
        values["mask"] = values.get("mask") or HOST_MASK
    else:
        values["mask"] = None
    return values


def _identity_remote_render(values):
    if values["kind"] == "address" and is_ipv6(values["value"]):
        return "match identity remote address %s" % values["value"]  # IPv6: a prefix, no mask
    if values["kind"] == "address":
        return "match identity remote address %s %s" % (values["value"], values["mask"])
    return "match identity remote %s %s" % (values["kind"], values["value"])


def _identity_local_render(values):
    # a DN identity is the certificate's subject: IOS takes no value for it
    if values["kind"] == "dn":
        return "identity local dn"
    return "identity local %s %s" % (values["kind"], values["value"])


def _identity_local_getval(values):
    values = _one_address_getval(values)
    if values["kind"] == "dn":
        values["value"] = None
    return values


def _ikev2_lifetime_display(values):
    if int(values["value"]) == IKEV2_LIFETIME_DEFAULT:
        return None
    return "lifetime %s" % values["value"]


def _psk_getval(values):
    values = _strip_values(values)
    values["encrypted"] = values.pop("enc", None) == "6"
    return values


def _psk_render(values):
    words = ["pre-shared-key"]
    if values.get("direction"):
        words.append(values["direction"])
    words.append(values["key"])
    return " ".join(words)


def _psk_display(values):
    words = ["pre-shared-key"]
    if values.get("direction"):
        words.append(values["direction"])
    if values.get("encrypted"):
        words.append("6")
    words.append(values["key"])
    return " ".join(words)


def _peer_address_render(values):
    if values.get("mask"):
        return "address %s %s" % (values["address"], values["mask"])
    return "address %s" % values["address"]


# ---------------------------------------------------------------------------------------------------------------
# The table. Order matters twice: children are rendered in this order, and the first regex that matches a line
# recognises it.
# ---------------------------------------------------------------------------------------------------------------

# -- the ownership ledger: a named ACL of remarks, one per owned object that has no description slot ------------
_add(name="ledger", parser=r"^ip access-list extended %s$" % LEDGER_ACL,
     render="ip access-list extended %s" % LEDGER_ACL, remove="no ip access-list extended %s" % LEDGER_ACL,
     getval=lambda v: {}, stage=0, block=True, owner="always", compare="replace",
     summary="ledger of owned objects without a description slot")
_add(name="ledger.entry", parent="ledger", parser=r"^(?:\d+\s+)?remark (?P<entry>.+)$", render="remark {entry}",
     getval=_strip_values, key=("entry",), summary="one owned object")

# -- access lists -------------------------------------------------------------------------------------------------
_add(name="acl_named", parser=r"^ip access-list extended (?P<name>\S+)$", render="ip access-list extended {name}",
     key=("name",), stage=10, block=True, owner="marker", marker="acl_named.remark", compare="ordered",
     summary="named extended ACL (crypto ACL, outside ACL)")
_add(name="acl_named.remark", parent="acl_named", parser=r"^(?:\d+\s+)?remark (?P<text>.*)$",
     render="remark {text}",
     getval=_strip_values, key=("text",), summary="ACL remark (the marker is the first one)")
_add(name="acl_named.entry", parent="acl_named", parser=r"^(?P<ace>(?:\d+\s+)?(?:permit|deny)\s.+)$",
     render="{ace}", display=lambda v: _ace_display(v["ace"]), getval=_ace_getval, key=("canon",), ordered=True,
     summary="ACL entry (compared in displayed form, in order)")

_add(name="acl_numbered", parser=r"^(?!)$", render=None, remove="no access-list {number}", key=("number",),
     stage=10, block=True, owner="marker", marker="acl_numbered.remark", virtual=True, compare="ordered",
     summary="numbered ACL (its lines are top-level 'access-list N ...' commands)")
_add(name="acl_numbered.remark", parent="acl_numbered", parser=r"^access-list (?P<number>\d+) remark (?P<text>.*)$",
     render="access-list {number} remark {text}", getval=_strip_values, key=("text",),
     summary="numbered ACL remark")
_add(name="acl_numbered.entry", parent="acl_numbered",
     parser=r"^access-list (?P<number>\d+) (?P<ace>(?:permit|deny)\s.+)$", render="access-list {number} {ace}",
     display=lambda v: "access-list %s %s" % (v["number"], _ace_display(v["ace"])), getval=_ace_getval,
     key=("canon",), ordered=True, summary="numbered ACL entry")

# -- IKEv1 --------------------------------------------------------------------------------------------------------
_add(name="isakmp_policy", parser=r"^crypto isakmp policy (?P<priority>\d+)$",
     render="crypto isakmp policy {priority}", key=("priority",), stage=20, block=True, owner="ledger",
     ledger="isakmp-policy", summary="IKEv1 policy")
_add(name="isakmp_policy.encryption", parent="isakmp_policy", parser=r"^encr(?:yption)? (?P<value>.+)$",
     render="encryption {value}", display=_isakmp_encryption_display, remove="no encryption",
     getval=_strip_values, summary="encryption (shown as encr; des hidden)")
_add(name="isakmp_policy.hash", parent="isakmp_policy", parser=r"^hash (?P<value>\S+)$", render="hash {value}",
     display=_hidden_default("hash", "sha"), remove="no hash", summary="hash (sha hidden)")
_add(name="isakmp_policy.authentication", parent="isakmp_policy", parser=r"^authentication (?P<value>\S+)$",
     render="authentication {value}", display=_hidden_default("authentication", "rsa-sig"),
     remove="no authentication", summary="authentication (rsa-sig hidden)")
_add(name="isakmp_policy.group", parent="isakmp_policy", parser=r"^group (?P<value>\d+)$", render="group {value}",
     display=_hidden_default("group", "1"), remove="no group", summary="DH group (1 hidden)")
_add(name="isakmp_policy.lifetime", parent="isakmp_policy", parser=r"^lifetime (?P<value>\d+)$",
     render="lifetime {value}", display=_hidden_default("lifetime", "86400"), remove="no lifetime",
     omit_if=lambda v: str(v["value"]) == "86400", summary="lifetime (86400 hidden)")
_add(name="isakmp_key",
     parser=r"^crypto isakmp key (?:(?P<enc>[06]) )?(?P<key>\S+) address (?:ipv6 (?P<address6>\S+)|(?P<address>\S+)"
            r"(?: (?P<mask>\d\S+))?)(?: no-xauth)?$",
     render=_isakmp_key_render, display=_isakmp_key_display, remove=_isakmp_key_remove, getval=_isakmp_key_getval,
     key=("address",), stage=21, owner="ledger", ledger="isakmp-key", secret="key",
     summary="IKEv1 pre-shared key for one peer")
_add(name="isakmp_keepalive",
     parser=r"^crypto isakmp keepalive (?P<interval>\d+)(?: (?P<retry>\d+))?(?: (?P<mode>periodic|on-demand))?$",
     render=_keepalive_render, remove="no crypto isakmp keepalive", getval=_keepalive_getval, stage=22,
     owner="ledger", ledger="isakmp-keepalive", summary="IKEv1 dead-peer detection (on-demand is the default)")
_add(name="nat_transparency_off", parser=r"^no crypto ipsec nat-transparency udp-encapsulation$",
     render="no crypto ipsec nat-transparency udp-encapsulation",
     remove="crypto ipsec nat-transparency udp-encapsulation", getval=lambda v: {}, stage=23, owner="ledger",
     ledger="nat-transparency-off", summary="NAT traversal switched off")

_add(name="isakmp_identity", parser=r"^crypto isakmp identity (?P<value>address|dn|hostname)$",
     render="crypto isakmp identity {value}", display=_hidden_default("crypto isakmp identity", "address"),
     remove="no crypto isakmp identity", omit_if=lambda v: v["value"] == "address", stage=24, owner="ledger",
     ledger="isakmp-identity", summary="IKEv1 identity of certificate tunnels (address hidden)")

# -- PKI ----------------------------------------------------------------------------------------------------------
# The trustpoint the certificate tunnels use. Its certificates and key pair are imported separately (docs/ios.md):
# lines the device adds to it (rsakeypair, subject-name ...) match no construct and are left alone.
_add(name="pki_trustpoint", parser=r"^crypto pki trustpoint (?P<name>\S+)$", render="crypto pki trustpoint {name}",
     key=("name",), stage=25, block=True, owner="ledger", ledger="pki-trustpoint",
     summary="PKI trustpoint of the certificate tunnels")
_add(name="pki_trustpoint.enrollment", parent="pki_trustpoint", parser=r"^enrollment (?P<value>terminal(?: pem)?)$",
     render="enrollment {value}", remove="no enrollment", getval=_strip_values,
     summary="enrolment by cut-and-paste (no CA server needed)")
_add(name="pki_trustpoint.revocation_check", parent="pki_trustpoint",
     parser=r"^revocation-check (?P<value>.+)$", render="revocation-check {value}",
     display=_hidden_default("revocation-check", "crl"), remove="no revocation-check", getval=_strip_values,
     summary="revocation check (crl, the default, hidden)")

# -- IKEv2 --------------------------------------------------------------------------------------------------------
_add(name="ikev2_proposal", parser=r"^crypto ikev2 proposal (?P<name>\S+)$", render="crypto ikev2 proposal {name}",
     key=("name",), stage=30, block=True, owner="ledger", ledger="ikev2-proposal", summary="IKEv2 proposal")
for _field in ("encryption", "integrity", "prf", "group"):
    # IOS adds to these lists instead of replacing them, so a changed line is removed first.
    _add(name="ikev2_proposal.%s" % _field, parent="ikev2_proposal", parser=r"^%s (?P<value>.+)$" % _field,
         render="%s {value}" % _field, getval=_strip_values, replace_first=True,
         remove="no %s {value}" % _field, summary="proposal %s list" % _field)
_add(name="ikev2_policy", parser=r"^crypto ikev2 policy (?P<name>\S+)$", render="crypto ikev2 policy {name}",
     key=("name",), stage=31, block=True, owner="ledger", ledger="ikev2-policy", summary="IKEv2 policy")
_add(name="ikev2_policy.match_local", parent="ikev2_policy", parser=r"^match address local (?P<address>\S+)$",
     render="match address local {address}", getval=_one_address_getval, key=("address",),
     summary="local address the policy applies to")
_add(name="ikev2_policy.proposal", parent="ikev2_policy", parser=r"^proposal (?P<name>\S+)$",
     render="proposal {name}", key=("name",), summary="proposal offered")
_add(name="ikev2_keyring", parser=r"^crypto ikev2 keyring (?P<name>\S+)$", render="crypto ikev2 keyring {name}",
     key=("name",), stage=32, block=True, owner="ledger", ledger="ikev2-keyring", summary="IKEv2 keyring")
_add(name="ikev2_keyring.peer", parent="ikev2_keyring", parser=r"^peer (?P<name>\S+)$", render="peer {name}",
     key=("name",), block=True, owner="marker", marker="ikev2_keyring.peer.description",
     summary="keyring peer (one per peer address)")
_add(name="ikev2_keyring.peer.description", parent="ikev2_keyring.peer", parser=r"^description (?P<text>.*)$",
     render="description {text}", getval=_strip_values, summary="marker")
_add(name="ikev2_keyring.peer.address", parent="ikev2_keyring.peer",
     parser=r"^address (?P<address>\S+)(?: (?P<mask>\S+))?$", render=_peer_address_render, remove="no address",
     getval=_peer_address_getval, summary="peer address (IPv6: a prefix, /128)")
_add(name="ikev2_keyring.peer.psk", parent="ikev2_keyring.peer",
     parser=r"^pre-shared-key (?:(?P<direction>local|remote) )?(?:(?P<enc>[06]) )?(?P<key>\S+)$",
     render=_psk_render, display=_psk_display, remove=lambda v: "no pre-shared-key" + (
         " " + v["direction"] if v.get("direction") else ""), getval=_psk_getval, key=("direction",),
     secret="key", summary="pre-shared key")
_add(name="ikev2_profile", parser=r"^crypto ikev2 profile (?P<name>\S+)$", render="crypto ikev2 profile {name}",
     key=("name",), stage=33, block=True, owner="marker", marker="ikev2_profile.description",
     summary="IKEv2 profile (one per peer)")
_add(name="ikev2_profile.description", parent="ikev2_profile", parser=r"^description (?P<text>.*)$",
     render="description {text}", getval=_strip_values, summary="marker")
_add(name="ikev2_profile.match_identity", parent="ikev2_profile",
     parser=r"^match identity remote (?P<kind>address|fqdn|email) (?P<value>\S+)(?: (?P<mask>\S+))?$",
     render=_identity_remote_render, getval=_identity_remote_getval, key=("kind", "value"),
     summary="peer identity (an IPv4 address is shown with a /32 mask, an IPv6 one as a /128 prefix)")
_add(name="ikev2_profile.identity_local", parent="ikev2_profile",
     parser=r"^identity local (?P<kind>address|fqdn|email|dn)(?: (?P<value>\S+))?$", render=_identity_local_render,
     getval=_identity_local_getval, remove="no identity local", summary="local identity")
_add(name="ikev2_profile.authentication", parent="ikev2_profile",
     parser=r"^authentication (?P<direction>local|remote) (?P<method>\S+)$",
     render="authentication {direction} {method}", key=("direction",), summary="authentication method")
_add(name="ikev2_profile.pki_trustpoint", parent="ikev2_profile", parser=r"^pki trustpoint (?P<name>\S+)$",
     render="pki trustpoint {name}", remove="no pki trustpoint {name}",
     summary="trustpoint of certificate authentication")
_add(name="ikev2_profile.keyring", parent="ikev2_profile", parser=r"^keyring local (?P<name>\S+)$",
     render="keyring local {name}", remove="no keyring", summary="keyring")
_add(name="ikev2_profile.dpd", parent="ikev2_profile",
     parser=r"^dpd (?P<interval>\d+) (?P<retry>\d+) (?P<mode>on-demand|periodic)$",
     render="dpd {interval} {retry} {mode}", remove="no dpd", summary="dead-peer detection")
_add(name="ikev2_profile.lifetime", parent="ikev2_profile", parser=r"^lifetime (?P<value>\d+)$",
     render="lifetime {value}", display=_ikev2_lifetime_display, remove="no lifetime",
     omit_if=lambda v: int(v["value"]) == IKEV2_LIFETIME_DEFAULT, summary="IKE SA lifetime (86400 hidden)")

# -- IPsec --------------------------------------------------------------------------------------------------------
_add(name="transform_set", parser=r"^crypto ipsec transform-set (?P<name>\S+) (?P<transforms>.+)$",
     render="crypto ipsec transform-set {name} {transforms}",
     display=lambda v: "crypto ipsec transform-set %s %s" % (v["name"], _transforms_display(v["transforms"])),
     remove="no crypto ipsec transform-set {name}", getval=_strip_values, key=("name",), stage=40, block=True,
     owner="ledger", ledger="transform-set", summary="transform set (its transforms are on the header line)")
_add(name="transform_set.mode", parent="transform_set", parser=r"^mode (?P<mode>tunnel|transport)(?: require)?$",
     render="mode {mode}", remove="no mode", absent="mode tunnel",
     summary="mode (tunnel is the default; some releases hide it)")
_add(name="ipsec_sa_lifetime",
     parser=r"^crypto ipsec security-association lifetime (?P<kind>seconds|kilobytes) (?P<value>\d+)$",
     render="crypto ipsec security-association lifetime {kind} {value}",
     display=_sa_lifetime_display("crypto ipsec security-association lifetime"),
     remove="no crypto ipsec security-association lifetime {kind}", key=("kind",), stage=41, owner="ledger",
     ledger="ipsec-sa-lifetime", summary="global IPsec SA lifetime (defaults hidden)")


def _sa_settings(parent):
    """The ``set ...`` sub-commands shared by crypto map entries and IPsec profiles."""
    _add(name=parent + ".description", parent=parent, parser=r"^description (?P<text>.*)$",
         render="description {text}", getval=_strip_values, remove="no description", summary="marker")
    if parent == "crypto_map_entry":
        _add(name=parent + ".set_peer", parent=parent, parser=r"^set peer (?P<address>\S+)(?: default)?$",
             render="set peer {address}", getval=_one_address_getval, key=("address",), summary="peer address")
    _add(name=parent + ".set_transform_set", parent=parent, parser=r"^set transform-set (?P<names>.+)$",
         render="set transform-set {names}", getval=_strip_values, remove="no set transform-set",
         summary="transform sets, in preference order")
    _add(name=parent + ".set_pfs", parent=parent, parser=r"^set pfs(?: (?P<group>\S+))?$", render="set pfs {group}",
         getval=_pfs_getval, remove="no set pfs", summary="PFS group")
    _add(name=parent + ".set_lifetime", parent=parent,
         parser=r"^set security-association lifetime (?P<kind>seconds|kilobytes) (?P<value>\d+)$",
         render="set security-association lifetime {kind} {value}",
         display=_sa_lifetime_display("set security-association lifetime"),
         remove="no set security-association lifetime {kind}", key=("kind",),
         omit_if=lambda v: int(v["value"]) == IPSEC_LIFETIME_DEFAULTS[v["kind"]],
         summary="SA lifetime (the global defaults count as absent)")
    _add(name=parent + ".set_ikev2_profile", parent=parent, parser=r"^set ikev2-profile (?P<name>\S+)$",
         render="set ikev2-profile {name}", remove="no set ikev2-profile", summary="IKEv2 profile")
    if parent == "crypto_map_entry":
        _add(name=parent + ".match_address", parent=parent, parser=r"^match address (?P<acl>\S+)$",
             render="match address {acl}", remove="no match address", summary="crypto ACL")


_add(name="ipsec_profile", parser=r"^crypto ipsec profile (?P<name>\S+)$", render="crypto ipsec profile {name}",
     key=("name",), stage=50, block=True, owner="marker", marker="ipsec_profile.description",
     summary="IPsec profile for tunnel protection")
_sa_settings("ipsec_profile")
_add(name="crypto_map_entry", parser=r"^crypto map (?P<name>\S+) (?P<seq>\d+)(?: ipsec-isakmp)?$",
     render="crypto map {name} {seq} ipsec-isakmp", remove="no crypto map {name} {seq}", key=("name", "seq"),
     stage=60, block=True, owner="marker", marker="crypto_map_entry.description",
     summary="crypto map entry (one per tunnel)")
_sa_settings("crypto_map_entry")

# -- interfaces ---------------------------------------------------------------------------------------------------
_add(name="interface", parser=r"^interface (?P<name>\S+)$", render="interface {name}",
     remove="no interface {name}", getval=_interface_getval, key=("name",), stage=_interface_stage, block=True,
     stage_label="70 (Tunnel), 80 (others)",
     owner=_interface_owner, marker="interface.description",
     summary="tunnel interface (owned, marker) or outside interface (container for bindings only)")
_add(name="interface.description", parent="interface", parser=r"^description (?P<text>.*)$",
     render="description {text}", getval=_strip_values, remove="no description", summary="marker")
_add(name="interface.ip_address", parent="interface", parser=r"^ip address (?P<address>\S+) (?P<mask>\S+)$",
     render="ip address {address} {mask}", remove="no ip address", summary="address")
_add(name="interface.ipv6_address", parent="interface",
     parser=r"^ipv6 address (?P<address>[0-9A-Fa-f:.]+/\d+)$", render="ipv6 address {address}",
     getval=_one_address_getval, key=("address",), remove="no ipv6 address {address}",
     summary="IPv6 address (shown upper case)")
_add(name="interface.ip_mtu", parent="interface", parser=r"^ip mtu (?P<value>\d+)$", render="ip mtu {value}",
     remove="no ip mtu", summary="IP MTU")
_add(name="interface.tcp_mss", parent="interface", parser=r"^ip tcp adjust-mss (?P<value>\d+)$",
     render="ip tcp adjust-mss {value}", remove="no ip tcp adjust-mss", summary="TCP MSS clamping")
_add(name="interface.tunnel_source", parent="interface", parser=r"^tunnel source (?P<source>\S+)$",
     render="tunnel source {source}", remove="no tunnel source", getval=_tunnel_source_getval,
     summary="tunnel source (address or interface)")
_add(name="interface.tunnel_destination", parent="interface", parser=r"^tunnel destination (?P<address>\S+)$",
     render="tunnel destination {address}", remove="no tunnel destination", getval=_one_address_getval,
     summary="tunnel destination")
_add(name="interface.tunnel_mode", parent="interface", parser=r"^tunnel mode (?P<mode>.+)$",
     render="tunnel mode {mode}", display=_tunnel_mode_display, remove="no tunnel mode", getval=_strip_values,
     summary="tunnel mode (gre ip hidden)")
_add(name="interface.tunnel_protection", parent="interface",
     parser=r"^tunnel protection ipsec profile (?P<profile>\S+)(?: shared)?$",
     render="tunnel protection ipsec profile {profile}", remove="no tunnel protection ipsec profile",
     summary="tunnel protection")
_add(name="interface.crypto_map", parent="interface", parser=r"^crypto map (?P<map>\S+)$", render="crypto map {map}",
     remove="no crypto map {map}", owner="ledger", ledger="crypto-map-binding",
     kept_while=("crypto_map_entry", "name", "map"),
     summary="crypto map bound on the outside interface")
_add(name="interface.access_group", parent="interface", parser=r"^ip access-group (?P<acl>\S+) (?P<direction>in|out)$",
     render="ip access-group {acl} {direction}", remove="no ip access-group {acl} {direction}", key=("direction",),
     owner="ledger", ledger="access-group", binds_acl="acl", summary="outside ACL applied inbound")

# -- routing ------------------------------------------------------------------------------------------------------
_add(name="router_eigrp", parser=r"^router eigrp (?P<asn>\d+)$", render="router eigrp {asn}", key=("asn",),
     stage=90, block=True, owner="ledger", ledger="router-eigrp", summary="EIGRP process for GRE overlays")
_add(name="router_eigrp.network", parent="router_eigrp", parser=r"^network (?P<address>\S+)(?: (?P<wildcard>\S+))?$",
     render="network {address} {wildcard}", getval=_network_getval, key=("address", "wildcard"), owner="ledger",
     ledger="eigrp-network", summary="network statement (a classful wildcard may be hidden)")
_add(name="router_eigrp.passive", parent="router_eigrp", parser=r"^passive-interface (?P<ifname>\S+)$",
     render="passive-interface {ifname}", getval=lambda v: {"ifname": interface_name(v["ifname"])},
     key=("ifname",), owner="ledger", ledger="eigrp-passive", summary="passive interface")
_add(name="router_ospf", parser=r"^router ospf (?P<pid>\d+)$", render="router ospf {pid}", key=("pid",),
     stage=90, block=True, owner="ledger", ledger="router-ospf", summary="OSPF process for GRE overlays")
_add(name="router_ospf.network", parent="router_ospf",
     parser=r"^network (?P<address>\S+) (?P<wildcard>\S+) area (?P<area>\S+)$",
     render="network {address} {wildcard} area {area}", key=("address", "wildcard", "area"), owner="ledger",
     ledger="ospf-network", summary="network statement")
_add(name="router_ospf.passive", parent="router_ospf", parser=r"^passive-interface (?P<ifname>\S+)$",
     render="passive-interface {ifname}", getval=lambda v: {"ifname": interface_name(v["ifname"])},
     key=("ifname",), owner="ledger", ledger="ospf-passive", summary="passive interface")
_add(name="ip_route", parser=r"^ip route (?P<prefix>\d\S*) (?P<mask>\d\S*) (?P<rest>.+)$", render=_route_render,
     remove=_route_remove, getval=_route_getval, key=("prefix", "mask", "interface", "next_hop"), stage=95,
     owner=_route_owner, summary="static route (owned when named %s)" % ROUTE_NAME)
_add(name="ipv6_route", parser=r"^ipv6 route (?P<prefix>[0-9A-Fa-f:.]+/\d+) (?P<rest>.+)$", render=_ipv6_route_render,
     remove=_ipv6_route_remove, getval=_ipv6_route_getval, key=("prefix", "interface", "next_hop"), stage=95,
     owner=_route_owner, summary="static IPv6 route (owned when named %s)" % ROUTE_NAME)


# ---------------------------------------------------------------------------------------------------------------
# Nodes: one recognised or intended object
# ---------------------------------------------------------------------------------------------------------------


class Node(object):
    """A construct with values; blocks hold child nodes. ``construct`` is None for a line nothing recognises."""

    __slots__ = ("construct", "values", "children", "text")

    def __init__(self, construct, values, children=None, text=None):
        self.construct = construct
        self.values = values or {}
        self.children = children if children is not None else []
        self.text = text

    @property
    def stage(self):
        return self.construct.stage_of(self.values) if self.construct is not None else 0

    def __repr__(self):
        return "Node(%s, %r)" % (self.construct.name if self.construct else None, self.values)

    @property
    def name(self):
        return self.construct.name if self.construct else None

    def identity(self):
        if self.construct is None:
            return (None, self.text)
        return self.construct.identity(self.values)

    def typed(self):
        return self.construct.render(self.values)

    def shown(self):
        if self.construct is None:
            return self.text
        return self.construct.display(self.values)

    def removal(self):
        return self.construct.remove(self.values)

    def mask(self, text):
        return self.construct.masked(text, self.values) if self.construct else text

    def child(self, name):
        for node in self.children:
            if node.name == name:
                return node
        return None

    def owner_kind(self):
        return self.construct.owner_kind(self.values) if self.construct else "never"

    def has_marker(self):
        if self.construct is None or not self.construct.marker:
            return False
        for node in self.children:
            if node.name == self.construct.marker and has_marker(node.values.get("text")):
                return True
        return False


def node_from_line(line, parent=None):
    """Recognise one line (typed or displayed) as a child of ``parent`` (a construct name, None for top level).

    Returns a :class:`Node` (construct None when nothing matches)."""
    candidates = children_of(parent)
    if parent is None:
        candidates = candidates + children_of("acl_numbered")
    for construct in candidates:
        values = construct.parse(line)
        if values is not None:
            return Node(construct, values)
    return Node(None, {}, text=" ".join(line.split()))


def make(name, values=None, children=None):
    """An intended node of construct ``name``."""
    return Node(BY_NAME[name], dict(values or {}), children=children)


def build(name, values=None, children=()):
    """An intended block of construct ``name``: ``children`` (nodes; ``None`` and omitted defaults dropped) in
    table order, nodes of one construct in the order given."""
    kept = [c for c in children if c is not None and not c.construct.omitted(c.values)]
    kept.sort(key=lambda c: c.construct.index)
    for child in kept:
        if child.construct.parent != name:
            raise ValueError("%s is not a sub-command of %s" % (child.construct.name, name))
    return make(name, values, kept)


def acl_entry(ace, number=None):
    """The entry node of an ACE dict (``acl.py`` form) in a named ACL, or in numbered ACL ``number``.

    The ACE text itself comes from ``acl.render_ios_ace`` (IPv4 only)."""
    values = {"ace": aclmod.render_ios_ace(ace)}
    if number is None:
        return make("acl_named.entry", _ace_getval(values))
    values["number"] = str(number)
    return make("acl_numbered.entry", _ace_getval(values))


def acl_remark(text, number=None):
    if number is None:
        return make("acl_named.remark", {"text": text})
    return make("acl_numbered.remark", {"number": str(number), "text": text})


def as_numbered(node):
    """A named-form numbered ACL (``ip access-list extended 100``, as IOS-XE 16+ shows it) as numbered nodes."""
    number = node.values["name"]
    group = make("acl_numbered", {"number": number})
    for child in node.children:
        if child.name == "acl_named.remark":
            group.children.append(acl_remark(child.values["text"], number))
        elif child.name == "acl_named.entry":
            group.children.append(make("acl_numbered.entry", dict(child.values, number=number)))
    return group


EXIT = "exit"  # leaves a sub-mode


def ledger_block(entries):
    """The ledger ACL holding ``entries`` (remark texts)."""
    return make("ledger", {}, [make("ledger.entry", {"entry": entry}) for entry in entries])


def ledger_entry(node, parent=None):
    """The ledger remark naming an owned object (``isakmp-policy 10``, ``crypto-map-binding Serial0``)."""
    words = [node.construct.ledger]
    if parent is not None:
        words += parent.construct.ledger_words(parent.values)
    words += node.construct.ledger_words(node.values)
    return " ".join(words)


def ledger_entries(nodes):
    """Ledger remarks for every ledger-owned object among intended ``nodes`` (and their direct children)."""
    entries = []
    for node in nodes:
        if node.construct is None:
            continue
        if node.owner_kind() == "ledger":
            entries.append(ledger_entry(node))
        for child in node.children:
            if child.construct is not None and child.owner_kind() == "ledger":
                entries.append(ledger_entry(child, node))
    seen = []
    for entry in entries:
        if entry not in seen:
            seen.append(entry)
    return seen


_OWNER_TEXT = {
    "always": "always (route name %s)" % ROUTE_NAME,
    "ledger": "ledger",
    "marker": "marker",
    "never": "never",
    "parent": "its block",
}


def _owner_label(construct):
    if construct.name == "interface":
        return "marker (Tunnel); never (others)"
    if construct.name in ("ip_route", "ipv6_route"):
        return "route name %s" % ROUTE_NAME
    if construct.name == "ledger":
        return "always"
    label = _OWNER_TEXT.get(construct.owner_kind({}), "?")
    if construct.ledger and label == "ledger":
        label = "ledger (`%s ...`)" % construct.ledger
    return label


def markdown_table():
    """The construct table as Markdown (docs/ios.md shows it; a unit test keeps the two in step)."""
    rows = ["| construct | stage | what it is | ownership |", "| --- | --- | --- | --- |"]
    for construct in TABLE:
        stage = (construct.stage_label or str(construct.stage)) if construct.parent is None else ""
        rows.append("| `%s` | %s | %s | %s |" % (construct.name, stage, construct.summary, _owner_label(construct)))
    return "\n".join(rows)
