# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for IOS / IOS-XE ``show crypto ipsec sa count`` and ``show crypto isakmp sa count``.

Both print totals, not SAs: ``label: N`` pairs, several per line separated by commas
(``IPsec SA total: 6, active: 6, rekeying: 0, unused: 0, invalid: 0``) or one per line
(``Active ISAKMP SA's: 3``). Each label becomes a key in snake case.
"""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.common import (
    check_text,
    feed_lines,
    snake,
    without_gc,
)


def _handle(counts, line):
    understood = 0
    unknown = []
    for part in line.split(","):
        part = part.strip()
        if not part:
            continue
        label, colon, value = part.rpartition(":")
        value = value.strip()
        key = snake(label.replace("'", ""))
        if colon and key and value.isdigit():
            counts[key] = int(value)
            understood += 1
        else:
            unknown.append(part)
    if not unknown:
        return True
    if understood:
        return "partly understood line: not a count: {}".format(", ".join(map(repr, unknown)))
    return False


@without_gc
def parse_show_crypto_sa_count(text):
    """Parse ``show crypto ipsec sa count`` or ``show crypto isakmp sa count``.

    Returns ``{"counts": {label: int}, "warnings": [...]}``.
    """
    text = check_text(text)
    counts = {}
    warnings = []
    feed_lines(text, lambda line: _handle(counts, line), warnings)
    return {"counts": counts, "warnings": warnings}
