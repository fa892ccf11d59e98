#!/usr/bin/env bash
# ansible-test bootstraps pip in its sanity venvs with a get-pip script downloaded from a CI host.
# Where only package registries are reachable, write a stand-in for that script that installs pip
# from a wheel fetched from the package index instead.
set -euo pipefail

python_bin=${1:?usage: ansible-test-pip-shim.sh PYTHON}
pip_version=$("$python_bin" -c '
import os, re, ansible_test
src = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
m = re.search(r"pip=.([0-9.]+).", open(src).read())
print(m.group(1) if m else "")
')
[ -n "$pip_version" ] || { echo "cannot tell which pip ansible-test bootstraps" >&2; exit 1; }

cache_dir="$HOME/.ansible/test/cache"
shim="$cache_dir/get_pip_${pip_version//./_}.py"
mkdir -p "$cache_dir"
wheel=$(ls "$cache_dir"/pip-"$pip_version"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  "$python_bin" -m pip download --quiet --no-deps --dest "$cache_dir" "pip==$pip_version"
  wheel=$(ls "$cache_dir"/pip-"$pip_version"-*.whl | head -n1)
fi
cat > "$shim" <<PY
# Offline stand-in for get-pip: install pip from a locally cached wheel.
import sys
WHEEL = "$wheel"
sys.path.insert(0, WHEEL)
from pip._internal.cli.main import main  # noqa: E402
sys.exit(main(["install", "--upgrade", "--force-reinstall", WHEEL] + [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel") and not a.startswith("pip==")]))
PY
echo "ansible-test pip $pip_version bootstrap: $shim"
