#!/usr/bin/env bash
# Quality gates and tests. `scripts/test.sh all` is what `make test` and CI run.
#   lint    ruff + the changelog check + ansible-lint --profile production
#   sanity  ansible-test sanity on core 2.19/Python 3.11 and core 2.21/Python 3.12
#   units   unit/property tests (both Python/core pairs)
#   e2e     end-to-end tests against the IOS simulator and the strongSwan lab (root)
#   molecule  `molecule test --all` (extensions/molecule/)
#   all     all of the above; the last step is one pytest run over the whole suite
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export ANSIBLE_COLLECTIONS_PATH="$repo/build/collections"
export ANSIBLE_HOME="$repo/build/ansible-home"
export PYTHONDONTWRITEBYTECODE=1
stage() { printf '\n===== %s =====\n' "$*"; }
# The Python 3.12 / ansible-core 2.21 gates are never skipped: setup builds .venv-py312 or fails.
need_py312() {
  [ -x .venv-py312/bin/python ] || { echo "ERROR: .venv-py312 is missing; run scripts/setup.sh" >&2; exit 1; }
}

run_lint() {
  stage "ruff"
  .venv/bin/ruff check .
  stage "changelog (antsibull-changelog: fragments, changelog.yaml, CHANGELOG.md)"
  scripts/changelog.sh --check
  stage "ansible-lint --profile production"
  PATH="$repo/.venv/bin:$PATH" ansible-lint --profile production --offline -q
}

run_sanity() {
  stage "ansible-test sanity (Python 3.11, ansible-core $(.venv/bin/python -c 'import ansible; print(ansible.__version__)'))"
  scripts/sanity.sh
  need_py312
  stage "ansible-test sanity (Python 3.12, ansible-core $(.venv-py312/bin/python -c 'import ansible; print(ansible.__version__)'))"
  VENV="$repo/.venv-py312" scripts/sanity.sh
}

run_units_py312() {
  need_py312
  stage "unit tests on Python 3.12 / ansible-core 2.21"
  .venv-py312/bin/python -m pytest -q -p no:cacheprovider tests/unit
}

run_molecule() {
  stage "molecule test --all (extensions/molecule)"
  # Molecule installs a copy of the collection under ANSIBLE_HOME: a scratch one per run.
  local home
  home=$(mkdir -p build && mktemp -d "$repo/build/molecule-home.XXXXXX")
  # The strongswan scenario uses the machine-wide lab, and molecule runs every step as a process of its own: hold
  # the lab lock (the one tests/e2e/lab_lock.py takes) around the whole run.
  local lock=/run/lock/ipsec-vpn-lab.lock
  [ -d /run/lock ] || lock="${TMPDIR:-/tmp}/ipsec-vpn-lab.lock"
  PATH="$repo/.venv/bin:$PATH" ANSIBLE_HOME="$home" flock -w 900 "$lock" molecule test --all
  rm -rf "$home"
}

case "${1:-all}" in
  lint) run_lint ;;
  sanity) run_sanity ;;
  units)
    run_units_py312
    stage "unit tests on Python 3.11 / ansible-core 2.19"
    .venv/bin/python -m pytest -q -p no:cacheprovider tests/unit ;;
  molecule) run_molecule ;;
  e2e)
    stage "end-to-end tests"
    .venv/bin/python -m pytest -q -p no:cacheprovider tests/e2e tests/ios_sim ;;
  all)
    run_lint
    run_sanity
    run_units_py312
    run_molecule
    stage "the whole suite on Python 3.11 / ansible-core 2.19 (units, simulator, end-to-end)"
    .venv/bin/python -m pytest -p no:cacheprovider -ra tests ;;
  *) echo "usage: $0 lint|sanity|units|e2e|molecule|all" >&2; exit 2 ;;
esac
