"""docs/architecture.md has one layout row for every module and package of the tree, and no row for what is gone."""

import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join("docs", "architecture.md")
_ROW = re.compile(r"^\| `([^`]+)` \|")
_SKIP = ("__pycache__", ".ansible", "output")


def _dirs(path):
    full = os.path.join(REPO, path)
    return sorted(d for d in os.listdir(full) if os.path.isdir(os.path.join(full, d)) and d not in _SKIP
                  and not d.startswith("."))


def _modules(path):
    full = os.path.join(REPO, path)
    return sorted(f for f in os.listdir(full) if f.endswith(".py") and f != "__init__.py")


def expected_rows():
    """Every path the layout table must list."""
    rows = ["plugins/module_utils/"]
    rows += ["plugins/module_utils/" + m for m in _modules("plugins/module_utils")]
    for package in _dirs("plugins/module_utils"):
        rows.append("plugins/module_utils/%s/" % package)
        rows += ["plugins/module_utils/%s/%s" % (package, m) for m in _modules("plugins/module_utils/" + package)]
    rows += ["plugins/plugin_utils/" + m for m in _modules("plugins/plugin_utils")]
    rows += ["plugins/%s/" % d for d in _dirs("plugins") if d not in ("module_utils", "plugin_utils")]
    rows += ["roles/%s/" % d for d in _dirs("roles")]
    rows += ["%s/" % d for d in ("playbooks", "inventories", "lab", "scripts", "benchmarks", "ee")]
    rows += ["tests/" + m for m in _modules("tests")]
    rows += ["tests/%s/" % d for d in _dirs("tests")]
    return rows


def documented_rows(text):
    return [m.group(1) for m in (_ROW.match(line) for line in text.splitlines()) if m and m.group(1) != "path"]


def problems(want, have):
    out = ["%s: add the row | `%s` | <what lives there, one line> |" % (DOC, path) for path in want if path not in have]
    out += ["%s: remove the row for `%s` (not in the tree, or not a module or package)" % (DOC, path)
            for path in have if path not in want]
    out += ["%s: `%s` is listed twice" % (DOC, path) for path in sorted(set(have)) if have.count(path) > 1]
    return out


def _doc():
    with open(os.path.join(REPO, DOC)) as handle:
        return handle.read()


def test_layout_table_matches_the_tree():
    found = problems(expected_rows(), documented_rows(_doc()))
    assert found == [], "\n".join(found)


def test_the_check_names_the_row_to_add_and_the_row_to_remove():
    text = _doc().replace("| `plugins/module_utils/masking.py` |", "| `plugins/module_utils/gone.py` |")
    found = [p for p in problems(expected_rows(), documented_rows(text)) if "masking.py" in p or "gone.py" in p]
    assert found == [
        "docs/architecture.md: add the row | `plugins/module_utils/masking.py` | <what lives there, one line> |",
        "docs/architecture.md: remove the row for `plugins/module_utils/gone.py` (not in the tree, or not a module "
        "or package)",
    ]
