# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for IOS ``show crypto ...`` and strongSwan ``swanctl --list-sas`` output.

``parse(command, text)`` picks the parser from the command as typed (abbreviations such as
``sh cry ipsec sa det`` are accepted); each parser is also importable on its own.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_crypto_session import parse_show_crypto_session
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ikev2_sa import parse_show_crypto_ikev2_sa
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ipsec_sa import parse_show_crypto_ipsec_sa
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_isakmp_sa import parse_show_crypto_isakmp_sa
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_sa_count import parse_show_crypto_sa_count
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.swanctl_list_sas import parse_swanctl_list_sas

PARSERS = {
    "show crypto isakmp sa": parse_show_crypto_isakmp_sa,
    "show crypto ipsec sa": parse_show_crypto_ipsec_sa,
    "show crypto session": parse_show_crypto_session,
    "show crypto ikev2 sa": parse_show_crypto_ikev2_sa,
    "swanctl --list-sas": parse_swanctl_list_sas,
    "show crypto ipsec sa count": parse_show_crypto_sa_count,
    "show crypto isakmp sa count": parse_show_crypto_sa_count,
}

# IOS accepts any unambiguous prefix of each keyword; these patterns accept the
# usual abbreviations and the arguments that do not change the output format.
_COMMANDS = (
    # "count" prints totals, not SAs: its own parser, tried before the SA parsers
    (re.compile(r"^sh(?:o|ow)?\s+cry(?:p|pt|pto)?\s+isa(?:k|km|kmp)?\s+sa\s+cou(?:n|nt)?$"), "show crypto isakmp sa count"),
    (re.compile(r"^sh(?:o|ow)?\s+cry(?:p|pt|pto)?\s+ip(?:s|se|sec)?\s+sa\s+cou(?:n|nt)?$"), "show crypto ipsec sa count"),
    (re.compile(r"^sh(?:o|ow)?\s+cry(?:p|pt|pto)?\s+isa(?:k|km|kmp)?\s+sa\b"), "show crypto isakmp sa"),
    (re.compile(r"^sh(?:o|ow)?\s+cry(?:p|pt|pto)?\s+ip(?:s|se|sec)?\s+sa\b"), "show crypto ipsec sa"),
    (re.compile(r"^sh(?:o|ow)?\s+cry(?:p|pt|pto)?\s+ses(?:s|si|sio|sion)?\b"), "show crypto session"),
    (re.compile(r"^sh(?:o|ow)?\s+cry(?:p|pt|pto)?\s+ikev2\s+sa\b"), "show crypto ikev2 sa"),
    (re.compile(r"^(?:\S*/)?swanctl\s+(?:.*\s)?(?:--list-sas|-l)\b"), "swanctl --list-sas"),
)


def canonical_command(command):
    """Map a command as typed to a key of PARSERS, or raise ValueError."""
    if not isinstance(command, str):
        raise ValueError("the command must be a string")
    normalised = " ".join(command.strip().split())
    for pattern, canonical in _COMMANDS:
        if pattern.match(normalised):
            return canonical
    raise ValueError("no parser for command {!r}; supported: {}".format(command, ", ".join(sorted(PARSERS))))


def parse(command, text):
    """Parse ``text``, the output of ``command``."""
    return PARSERS[canonical_command(command)](text)
