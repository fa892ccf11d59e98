# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the ``show crypto`` and ``swanctl`` parsers.

Every parser returns a plain dict (JSON-serialisable) with a ``warnings`` list.
A warning is ``{"line_number": int, "line": str, "message": str}``; line numbers
start at 1 and count the lines of the text as given.
"""

import functools
import gc
import re

# Device chatter that is not part of a command's output: an echoed prompt and
# command, and the two lines that "exec-timestamp" adds before every output.
_PROMPT_ECHO = re.compile(r"^[\w.\-:/\[\]]+(?:\([^)]*\))?[#>]\s*\S")
_BARE_PROMPT = re.compile(r"^[\w.\-:/\[\]]+(?:\([^)]*\))?[#>]$")
_TIMESTAMP_PREFIXES = ("Load for ", "Time source is ")

# Exceptions a line handler may raise on malformed input; the parser turns them
# into a warning for that line instead of failing the whole parse.
LINE_ERRORS = (ValueError, IndexError, KeyError, AttributeError, TypeError)


def check_text(text):
    """Return ``text`` as a str with universal newlines, or raise TypeError."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        raise TypeError(f"expected the command output as a string, got {type(text).__name__}")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def is_chatter(stripped):
    """True for lines that surround a command's output: prompt echo, bare prompt, timestamps."""
    if stripped.startswith(_TIMESTAMP_PREFIXES):
        return True
    if _BARE_PROMPT.match(stripped):
        return True
    return bool(_PROMPT_ECHO.match(stripped)) and (" show " in stripped or "#show" in stripped or ">show" in stripped)


def warning(warnings, line_number, line, message):
    warnings.append({"line_number": line_number, "line": line, "message": message})


def feed_lines(text, handle, warnings):
    """Give every non-blank line of ``text``, stripped, to ``handle(line)``.

    A line that ``handle`` does not take (returns false) becomes an "unrecognised line" warning
    unless it is terminal chatter; one that makes it raise becomes a "malformed line" warning.
    """
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        try:
            if handle(line):
                continue
        except LINE_ERRORS as exc:
            warning(warnings, number, raw, f"malformed line: {exc}")
            continue
        if is_chatter(line):
            continue
        warning(warnings, number, raw, "unrecognised line")


def to_int(value):
    """int() for counters; raises ValueError on anything that is not a plain integer."""
    return int(value)


def parse_spi(text):
    """Parse an IOS SPI as printed: ``0x658F7C11(1703902225)``, ``0x3D3(979)`` or a bare ``3D3``.

    Returns ``(hex_text, value)``. The decimal in parentheses is returned as printed, even
    when a sanitised output makes it disagree with the hex.
    """
    text = text.strip()
    paren = text.find("(")
    if paren >= 0 and text.endswith(")"):
        hex_text = text[:paren]
        return hex_text, int(text[paren + 1 : -1])
    hex_text = text if text.lower().startswith("0x") else "0x" + text
    return hex_text, int(hex_text, 16)


def split_paren(text):
    """``ACTIVE(ACTIVE)`` -> ``("ACTIVE", "ACTIVE")``; ``ACTIVE (deleted)`` -> ``("ACTIVE", "deleted")``."""
    text = text.strip()
    paren = text.find("(")
    if paren >= 0 and text.endswith(")"):
        return text[:paren].strip(), text[paren + 1 : -1].strip()
    return text, None


_KEY_CLEAN = re.compile(r"[^0-9a-z]+")


def snake(label):
    """``'Auth verify'`` -> ``'auth_verify'``; ``'#pkts compr. failed'`` -> ``'pkts_compr_failed'``."""
    return _KEY_CLEAN.sub("_", label.lower()).strip("_")


def hms_to_seconds(text):
    """``'23:59:50'`` -> 86390; also accepts ``'1d02h'``-free plain H:M:S only."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"not an H:M:S time: {text!r}")
    hours, minutes, seconds = (int(p) for p in parts)
    return hours * 3600 + minutes * 60 + seconds


def without_gc(function):
    """Run ``function`` with the cyclic garbage collector paused.

    A parse builds a large tree of dicts and lists that holds no reference cycles; the
    collector's passes over it can free nothing and cost about a quarter of the parse time
    on big outputs. Reference counting still frees everything as usual.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        if enabled:
            gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper
