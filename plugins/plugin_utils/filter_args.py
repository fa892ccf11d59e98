# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument checking for the collection's filter plugins, driven by each plugin's DOCUMENTATION.

A filter's DOCUMENTATION lists its options (``_input`` is the value left of the pipe, the
others follow in ``positional`` order). :func:`check_filter_args` maps the call's positional
and keyword arguments onto those names, rejects unknown or missing options with Ansible's
own argument-spec validator, and checks the types strictly: a string is never split into a
list and a list is never turned into a string, because for ACL data such coercion would hide
mistakes instead of reporting them.
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None

_STRICT_TYPES = {
    "str": (str,),
    "list": (list, tuple),
    "dict": (dict,),
    "bool": (bool,),
}
_SPEC_KEYS = ("required", "default", "choices", "aliases")
_CACHE = {}


def _options(documentation):
    key = id(documentation)
    if key not in _CACHE:
        if yaml is None:  # pragma: no cover
            raise AnsibleFilterError("PyYAML is required to check filter arguments")
        doc = yaml.safe_load(documentation) or {}
        options = doc.get("options") or {}
        positional = doc.get("positional") or "_input"
        if isinstance(positional, str):
            positional = [name.strip() for name in positional.split(",") if name.strip()]
        _CACHE[key] = (doc.get("name", "filter"), options, list(positional))
    return _CACHE[key]


def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def check_filter_args(documentation, args, kwargs):
    """Return a dict of option name -> value for a filter call, or raise AnsibleFilterError.

    ``args`` are the positional arguments as the filter received them (the piped value
    first); ``kwargs`` the keyword arguments.
    """
    name, options, positional = _options(documentation)
    if len(args) > len(positional):
        raise AnsibleFilterError(
            f"{name}: takes at most {len(positional)} positional argument(s) ({', '.join(positional)}), got {len(args)}"
        )
    data = dict(zip(positional, args))
    for key, value in kwargs.items():
        if key in data:
            raise AnsibleFilterError(f"{name}: option '{key}' given twice (positionally and by name)")
        data[key] = value

    unknown = sorted(key for key in data if key not in options)
    if unknown:
        raise AnsibleFilterError(f"{name}: unknown option(s) {', '.join(unknown)}; supported: {', '.join(options)}")
    spec = {}
    for option, meta in options.items():
        meta = meta or {}
        entry = {"type": "raw"}
        for spec_key in _SPEC_KEYS:
            if spec_key in meta:
                entry[spec_key] = meta[spec_key]
        spec[option] = entry
    result = ArgumentSpecValidator(spec).validate(data)
    if result.error_messages:
        raise AnsibleFilterError(f"{name}: " + "; ".join(result.error_messages))
    values = result.validated_parameters

    for option, meta in options.items():
        meta = meta or {}
        value = values.get(option)
        wanted = meta.get("type")
        if value is None or wanted not in _STRICT_TYPES:
            continue
        allowed = _STRICT_TYPES[wanted]
        if not isinstance(value, allowed) or (wanted != "bool" and isinstance(value, bool)):
            raise AnsibleFilterError(f"{name}: option '{option}' must be a {wanted}, got a {_type_name(value)}")
    return values
