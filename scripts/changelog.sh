#!/usr/bin/env bash
# The changelog is kept with antsibull-changelog: every change adds a fragment to changelogs/fragments/, and this
# script folds the fragments into the release named by galaxy.yml's version, then renders CHANGELOG.md.
#   scripts/changelog.sh           update changelogs/changelog.yaml, changelogs/.plugin-cache.yaml and CHANGELOG.md
#   scripts/changelog.sh --check   fail when those files are not what the fragments give (part of `test.sh lint`)
# It runs on a copy laid out as ansible_collections/ipsec/vpn (tracked and new files only), because the tool walks
# the collection and must not wander into build/ or the venvs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$repo/.venv}
mode=${1:-update}
run_root=$(mkdir -p "$repo/build/changelog" && mktemp -d "$repo/build/changelog/run.XXXXXX")
trap 'rm -rf "$run_root"' EXIT
dest="$run_root/ansible_collections/ipsec/vpn"
mkdir -p "$dest"
(cd "$repo" && git ls-files --cached --others --exclude-standard -z \
  | while IFS= read -r -d '' file; do [ ! -e "$file" ] || printf '%s\0' "$file"; done | tar --null -cf - -T -) \
  | (cd "$dest" && tar -xf -)

cd "$dest"
# The copy sits inside the repo's work tree (in ignored build/): give it a repository of its own, since the tool
# lists the collection's files with git.
git init -q . && git add -A && git -c user.name=changelog -c user.email=changelog@localhost commit -qm changelog
version=$("$venv/bin/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
# Keep the date of a release that is already recorded, so that the output does not change from one day to the next.
date=$("$venv/bin/python" - "$version" <<'PY'
import datetime, os, sys, yaml
path = "changelogs/changelog.yaml"
releases = (yaml.safe_load(open(path)) or {}).get("releases") or {} if os.path.exists(path) else {}
print((releases.get(sys.argv[1]) or {}).get("release_date") or datetime.date.today().isoformat())
PY
)
export PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$run_root" ANSIBLE_HOME="$run_root/ansible-home"
antsibull-changelog lint
[ ! -e changelogs/changelog.yaml ] || antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
antsibull-changelog release --version "$version" --date "$date" --update-existing >/dev/null
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

outputs=(changelogs/changelog.yaml changelogs/.plugin-cache.yaml CHANGELOG.md)
if [ "$mode" = --check ]; then
  stale=0
  for file in "${outputs[@]}"; do
    if ! cmp -s "$file" "$repo/$file"; then
      echo "ERROR: $file is not what changelogs/fragments/ give; run scripts/changelog.sh (never edit it by hand)" >&2
      diff -u "$repo/$file" "$file" | head -40 >&2 || true
      stale=1
    fi
  done
  exit "$stale"
fi
for file in "${outputs[@]}"; do cp "$file" "$repo/$file"; done
echo "changelog: release $version ($date), $(ls changelogs/fragments | wc -l) fragment(s), CHANGELOG.md rendered"
