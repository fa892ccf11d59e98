#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection laid out as ansible_collections/ipsec/vpn.
# A copy (not a symlink) is used because ansible-test derives the collection from the real path.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$repo/.venv}
python_version=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# One folder per run, so that two runs at once do not trample each other.
run_root=$(mkdir -p "$repo/build/sanity" && mktemp -d "$repo/build/sanity/run.XXXXXX")
trap 'rm -rf "$run_root"' EXIT
dest="$run_root/ansible_collections/ipsec/vpn"

"$repo/scripts/ansible-test-pip-shim.sh" "$venv/bin/python" >/dev/null
mkdir -p "$dest"
# Tracked files plus new files that are not ignored: exactly what a commit would hold.
(cd "$repo" && git ls-files --cached --others --exclude-standard -z | xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' ) \
  | (cd "$repo" && tar -cf - -T -) | (cd "$dest" && tar -xf -)
# Collections this one depends on must sit beside it, as they would in a real install.
site_packages=$("$venv/bin/python" -c 'import ansible, os; print(os.path.dirname(os.path.dirname(ansible.__file__)))')
for dep in ansible/utils ansible/netcommon cisco/ios; do
  mkdir -p "$dest/../../$(dirname "$dep")"
  ln -sfn "$site_packages/ansible_collections/$dep" "$dest/../../$dep"
done
cd "$dest"
# The copy sits inside the repo's work tree, so give it a repository of its own: ansible-test lists files with git.
git init -q . && git add -A && git -c user.name=sanity -c user.email=sanity@localhost commit -qm sanity
PATH="$venv/bin:$PATH" ansible-test sanity --venv --python "$python_version" --color no "$@"
