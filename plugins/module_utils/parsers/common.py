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


def feed_lines(text, handle, warnings, on_failure=None):
    """Give every non-blank line of ``text``, stripped, to ``handle(line)``.

    ``handle`` returns True for a line it read, a message (str) for a line it read only in part
    (the message becomes a warning; what it understood is kept), or false for a line it does
    not know. A line it does not take becomes an "unrecognised line" warning unless it is
    terminal chatter; one that makes it raise becomes a "malformed line" warning. After either,
    ``on_failure(line)`` lets the parser close the record that line may have started, so that
    the lines after it never write into an earlier record.
    """
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        try:
            taken = handle(line)
            if taken is True:
                continue
            if taken:
                warning(warnings, number, raw, taken)
                continue
        except LINE_ERRORS as exc:
            warning(warnings, number, raw, f"malformed line: {exc}")
            if on_failure is not None:
                on_failure(line)
            continue
        if is_chatter(line):
            continue
        warning(warnings, number, raw, "unrecognised line")
        if on_failure is not None:
            on_failure(line)


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


_DURATION_UNITS = {
    "day": 86400,
    "days": 86400,
    "hour": 3600,
    "hours": 3600,
    "hr": 3600,
    "hrs": 3600,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
}
_DURATION_PART = re.compile(r"^([0-9]+) *([a-z]+)$")


def words_to_seconds(text):
    """``'0 hours, 52 mins'`` -> 3120; ``'1 days, 2 hours, 3 mins, 4 secs'`` -> 93784.

    Parts are ``N unit`` separated by commas or spaces; raises ValueError on anything else.
    """
    parts = [part.strip() for part in text.replace(" and ", ", ").split(",") if part.strip()]
    words = " ".join(parts).split()
    if not words or len(words) % 2:
        raise ValueError(f"not a duration in words: {text!r}")
    total = 0
    for index in range(0, len(words), 2):
        m = _DURATION_PART.match(words[index] + " " + words[index + 1].lower())
        if not m or m.group(2) not in _DURATION_UNITS:
            raise ValueError(f"not a duration in words: {text!r}")
        total += int(m.group(1)) * _DURATION_UNITS[m.group(2)]
    return total


def none_if_none(value):
    """IOS prints ``(none)`` for an empty value."""
    return None if value == "(none)" else value


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
