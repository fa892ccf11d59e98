# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one mask for secrets (pre-shared keys, passwords, private keys, certificate bodies) in plans, reports, IOS lines and messages.

:func:`mask` takes a structure or a text: in a structure every value under a secret-looking key is replaced by
:data:`MASK`; in a text every occurrence of the given secrets is. Pure Python (no ``ansible`` import).
"""

import re

MASK = "********"
# certificate and CA bodies are not secret, but no output needs them: they are masked like keys
SECRET_KEYS = frozenset(("psk", "secret", "secrets", "password", "pre_shared_key", "key_string", "private_key",
                         "private_key_pem", "certificate_pem", "ca_pem", "pem"))


def mask(value, secrets=(), whole_words=False):
    """``value`` with its secrets replaced by :data:`MASK` (a deep copy; the input is not changed).

    * dict / list / tuple: every value under a key of :data:`SECRET_KEYS` (any case) that is not ``None`` is
      replaced, recursively; strings inside are masked as texts;
    * str: every occurrence of each of ``secrets`` is replaced, longest first; with ``whole_words`` only where the
      secret stands between white space or the ends of the text (an IOS line: ``crypto isakmp key K address A``,
      where a short key could also occur inside the address);
    * anything else is returned as it is.
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if str(key).lower() in SECRET_KEYS and item is not None:
                out[key] = MASK
            else:
                out[key] = mask(item, secrets, whole_words)
        return out
    if isinstance(value, (list, tuple)):
        return [mask(item, secrets, whole_words) for item in value]
    if isinstance(value, str):
        for secret in sorted((str(s) for s in secrets if s), key=len, reverse=True):
            if whole_words:
                value = re.sub(r"(?<!\S)%s(?!\S)" % re.escape(secret), MASK, value)
            else:
                value = value.replace(secret, MASK)
        return value
    return value
