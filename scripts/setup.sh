#!/usr/bin/env bash
# Set up everything the collection, its lab and its tests need on a Debian machine:
#   - Debian packages for the strongSwan lab (when running as root with apt available);
#   - .venv: Python 3.11 + ansible-core 2.19 (ansible 12.x) + dev tools;
#   - .venv-py312: Python 3.12 + ansible-core 2.21 (ansible 14.x), for the compatibility gates;
#   - build/collections: a symlink tree exposing the repo as ansible_collections/ipsec/vpn.
# Re-running it is cheap: each step is skipped when already done.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
log() { printf '[setup] %s\n' "$*"; }

# The strongSwan packages come from the strongSwan role's own list (roles/strongswan/vars/Debian.yml: the
# plain-charon, extra-plugin and firewall lists), so that the lab and a gateway installed by the role cannot drift
# apart; the rest is what the lab harness itself runs (ping, sshd, ip, pkill, ...).
ROLE_VARS=roles/strongswan/vars/Debian.yml
LAB_PACKAGES="iputils-ping openssh-server openssh-client iproute2 procps psmisc util-linux make git"

role_packages() {
  # The lists are YAML flow sequences on one line each ("name: [a, b]"); read them without a YAML parser, since
  # this runs before any venv exists, and fail when a list is missing rather than install less.
  local var line
  for var in strongswan__packages_plain strongswan__packages_extra strongswan__packages_firewall; do
    line=$(sed -n "s/^${var}: *\[\(.*\)\] *$/\1/p" "$ROLE_VARS")
    [ -n "$line" ] || { echo "[setup] ERROR: $ROLE_VARS has no one-line list $var" >&2; exit 1; }
    echo "$line" | tr ',' ' '
  done
}
APT_PACKAGES="$(role_packages | xargs) $LAB_PACKAGES"

if [ "${1:-}" = "--print-apt-packages" ]; then
  echo "$APT_PACKAGES"
  exit 0
fi

install_apt() {
  local missing=()
  for pkg in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && { log "Debian packages present"; return; }
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    log "WARNING: missing Debian packages (${missing[*]}); install them as root for the lab"
    return
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_python() {
  local want=$1 candidate
  for candidate in "python$want" "$HOME/.pyenv/versions/$want"*/bin/python"$want" /usr/local/bin/python"$want"; do
    if command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ]; then
      "$candidate" -c 'import sys; sys.exit(0)' 2>/dev/null && { command -v "$candidate" || echo "$candidate"; return 0; }
    fi
  done
  return 1
}

make_venv() {
  local dir=$1 python=$2 requirements=$3 stamp
  stamp="$dir/.requirements.sha"
  local want
  want=$(cat "$requirements" requirements.txt | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "$dir up to date"
    return
  fi
  log "creating $dir with $python"
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
}

link_collection() {
  mkdir -p build/collections/ansible_collections/ipsec
  ln -sfn "$repo" build/collections/ansible_collections/ipsec/vpn
}

install_apt
make_venv .venv "$(find_python 3.11 || command -v python3)" requirements-dev.txt
# Debian 12 ships no Python 3.12: the image's own interpreter (pyenv, /usr/local) is used, and without one setup
# fails, because the ansible-core 2.21 gates would otherwise be skipped without anyone noticing.
if py312=$(find_python 3.12); then
  make_venv .venv-py312 "$py312" requirements-py312.txt
else
  log "ERROR: no Python 3.12 interpreter found (looked for python3.12 on PATH, pyenv versions and /usr/local/bin);"
  log "       the ansible-core 2.21 gates need one. Install Python 3.12 and run setup again."
  exit 1
fi
link_collection
log "done"
