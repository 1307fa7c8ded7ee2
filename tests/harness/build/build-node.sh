#!/usr/bin/env bash
# Builds (or locates) what a REAL node for the embedded cluster needs (docs/REAL-NODE.md,
# tests/harness/realparts/node.ts): the kubelet from k8s.io/kubernetes (the release tests/harness/go/kube
# pins; built through the wrapper module tests/harness/go/node), and the container runtime from Debian:
# containerd, runc (built with libseccomp, so seccomp RuntimeDefault works) and the CNI plugins.
#
#   bash tests/harness/build/build-node.sh          # prints name=path lines: kubelet, containerd, ctr, runc, cni-bin-dir, pause
#
# - The kubelet (and pause, tests/harness/go/node/pause) lands next to kube-apiserver in ${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/kube/<k8s-version>/
#   and is built only when missing (cold: ~5 min on 2 cores; cached afterwards). CGO_ENABLED=0, like the
#   control plane.
# - containerd/runc/CNI are not built: Debian 12 packages (containerd 1.6.20, runc 1.1.5 + libseccomp 2.5.4,
#   containernetworking-plugins 1.1.1). NODE_INSTALL_PACKAGES=1 lets this script apt-get install them when missing.
# Everything the build says goes to stderr; stdout carries only the name=path lines.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
NODE_MOD="$ROOT/tests/harness/go/node"
K8S_VERSION="$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$NODE_MOD/go.mod")"
KUBE_VERSION="$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$ROOT/tests/harness/go/kube/go.mod")"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/kube/${K8S_VERSION}"
LOG_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/build-logs"

log() { echo "build-node: $*" >&2; }
die() { echo "build-node: error: $1" >&2; exit "${2:-1}"; }

[[ -n "$K8S_VERSION" ]] || die "cannot read k8s.io/kubernetes from $NODE_MOD/go.mod" 2
[[ "$K8S_VERSION" == "$KUBE_VERSION" ]] ||
  log "warning: tests/harness/go/node pins $K8S_VERSION, tests/harness/go/kube $KUBE_VERSION (kubelet skew)"

kube_ldflags() {
  local v="$1" major minor date flags="-s -w" pkg
  major="$(echo "$v" | sed -E 's/^v([0-9]+)\..*/\1/')"
  minor="$(echo "$v" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  echo "$flags"
}

mkdir -p "$CACHE_DIR" "$LOG_DIR"
if [[ ! -x "$CACHE_DIR/kubelet" ]]; then
  command -v go >/dev/null 2>&1 || die "Go is not on PATH (needed to build the kubelet)" 3
  log "building kubelet $K8S_VERSION into $CACHE_DIR (cold: ~5 min on 2 cores); log: $LOG_DIR/kubelet.log"
  t0=$SECONDS
  tmp="$(mktemp -d "$CACHE_DIR/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$NODE_MOD" && CGO_ENABLED=0 go build -trimpath -ldflags "$(kube_ldflags "$K8S_VERSION")" \
      -o "$tmp/kubelet" k8s.io/kubernetes/cmd/kubelet) >"$LOG_DIR/kubelet.log" 2>&1; then
    die "building kubelet failed; log: $LOG_DIR/kubelet.log; last lines: $(tail -n 3 "$LOG_DIR/kubelet.log" | tr '\n' ' ')" 4
  fi
  mv -f "$tmp/kubelet" "$CACHE_DIR/kubelet"
  log "built kubelet in $((SECONDS - t0))s"
fi

# The pod sandbox's process (registry.k8s.io/pause cannot be pulled here): a static Go binary, node.ts wraps it in an image.
if [[ ! -x "$CACHE_DIR/pause" ]]; then
  command -v go >/dev/null 2>&1 || die "Go is not on PATH (needed to build pause)" 3
  tmp_pause="$(mktemp "$CACHE_DIR/.pause.XXXXXX")"
  (cd "$NODE_MOD" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp_pause" ./pause) >"$LOG_DIR/pause.log" 2>&1 ||
    die "building pause failed; log: $LOG_DIR/pause.log" 4
  mv -f "$tmp_pause" "$CACHE_DIR/pause"
fi

find_cmd() { command -v "$1" 2>/dev/null || { [[ -x "/usr/sbin/$1" ]] && echo "/usr/sbin/$1"; } || true; }
CNI_BIN_DIR=/usr/lib/cni
if [[ -z "$(find_cmd containerd)" || -z "$(find_cmd runc)" || ! -x "$CNI_BIN_DIR/bridge" ]]; then
  if [[ "${NODE_INSTALL_PACKAGES:-}" == 1 ]]; then
    log "installing containerd runc containernetworking-plugins iptables (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      containerd runc containernetworking-plugins iptables conntrack >"$LOG_DIR/node-apt.log" 2>&1 ||
      die "apt-get install failed; log: $LOG_DIR/node-apt.log" 5
  else
    die "containerd, runc or the CNI plugins ($CNI_BIN_DIR/bridge) are missing: apt-get install containerd runc containernetworking-plugins iptables (or NODE_INSTALL_PACKAGES=1)" 5
  fi
fi

log "$("$CACHE_DIR/kubelet" --version 2>&1); $(containerd --version 2>&1 | awk '{print $1, $3}'); $("$(find_cmd runc)" --version | head -1)"
echo "kubelet=$CACHE_DIR/kubelet"
echo "containerd=$(find_cmd containerd)"
echo "ctr=$(find_cmd ctr)"
echo "runc=$(find_cmd runc)"
echo "cni-bin-dir=$CNI_BIN_DIR"
echo "pause=$CACHE_DIR/pause"
