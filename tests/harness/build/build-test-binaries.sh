#!/usr/bin/env bash
# Builds the real control plane the real-parts test tier runs on: kube-apiserver and
# kube-controller-manager from k8s.io/kubernetes (tests/harness/go/kube) and etcd from
# go.etcd.io/etcd/server/v3 (tests/harness/go/etcd), all through the Go module proxy.
#
#   bash tests/harness/build/build-test-binaries.sh      # prints the directory holding the three binaries
#
# - Binaries land in ${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/kube/<k8s-version>/ and are built only
#   when missing (a warm machine pays a few stat calls); etcd is rebuilt when its --version differs from the
#   one tests/harness/go/etcd/go.mod requires.
# - KUBEBUILDER_ASSETS, when set and holding kube-apiserver and etcd (and kube-controller-manager),
#   is used as is: nothing is built. Envtest's assets have no controller-manager; then only that
#   one is built into the cache (if missing there), the directory printed is still KUBEBUILDER_ASSETS,
#   and tests/harness/realparts/controlplane.ts takes the controller-manager from the cache.
# - Go's own caches (GOCACHE, GOMODCACHE) stay where Go puts them, so a warm machine reuses them.
# Everything the build says goes to stderr; stdout carries only the directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
KUBE_MOD="$ROOT/tests/harness/go/kube"
ETCD_MOD="$ROOT/tests/harness/go/etcd"

# The versions are the ones the wrapper modules require; reading them keeps one source of truth.
K8S_VERSION="$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$KUBE_MOD/go.mod")"
ETCD_VERSION="$(awk '$1=="require" && $2=="go.etcd.io/etcd/server/v3" {print $3}' "$ETCD_MOD/go.mod")"
if [[ -z "$K8S_VERSION" || -z "$ETCD_VERSION" ]]; then
  echo "build-test-binaries: cannot read versions from tests/harness/go/kube/go.mod or tests/harness/go/etcd/go.mod" >&2
  exit 2
fi

CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/kube/${K8S_VERSION}"

log() { echo "build-test-binaries: $*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "Go is not on PATH; install Go >= $(awk '$1=="go"{print $2}' "$KUBE_MOD/go.mod") or set KUBEBUILDER_ASSETS to a directory with kube-apiserver, etcd (and kube-controller-manager)."
    exit 3
  fi
}

# Same variables hack/lib/version.sh sets, so `kube-apiserver --version` prints the real version.
kube_ldflags() {
  local v="$1" major minor
  major="$(echo "$v" | sed -E 's/^v([0-9]+)\..*/\1/')"
  minor="$(echo "$v" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
  local date
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local flags="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  echo "$flags"
}

build_kube() {
  # $@: which commands (kube-apiserver kube-controller-manager) to build into $CACHE_DIR
  need_go
  local pkgs=() c
  for c in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  log "building $* $K8S_VERSION into $CACHE_DIR (cold: tens of minutes on 2 cores; cached afterwards)"
  local t0=$SECONDS tmp
  tmp="$(mktemp -d "$CACHE_DIR/.build.XXXXXX")"
  (cd "$KUBE_MOD" && CGO_ENABLED=0 \
    go build -trimpath -ldflags "$(kube_ldflags "$K8S_VERSION")" -o "$tmp/" "${pkgs[@]}")
  for c in "$@"; do mv -f "$tmp/$c" "$CACHE_DIR/$c"; done
  rmdir "$tmp"
  log "built $* in $((SECONDS - t0))s"
}

build_etcd() {
  need_go
  log "building etcd $ETCD_VERSION into $CACHE_DIR"
  local t0=$SECONDS tmp
  tmp="$(mktemp -d "$CACHE_DIR/.build.XXXXXX")"
  # etcd's version is a constant in go.etcd.io/etcd/api/v3/version; only the commit is a variable.
  (cd "$ETCD_MOD" && CGO_ENABLED=0 \
    go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-$ETCD_VERSION" -o "$tmp/etcd" .)
  mv -f "$tmp/etcd" "$CACHE_DIR/etcd"
  rmdir "$tmp"
  log "built etcd in $((SECONDS - t0))s"
}

mkdir -p "$CACHE_DIR"

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if [[ -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
    if [[ ! -x "$KUBEBUILDER_ASSETS/kube-controller-manager" ]]; then
      log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no kube-controller-manager (envtest ships none)."
      log "The controller-manager check will look in $CACHE_DIR; building it there only if missing."
      [[ -x "$CACHE_DIR/kube-controller-manager" ]] || build_kube kube-controller-manager
    else
      log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS; nothing to build"
    fi
    echo "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; building into the cache instead"
fi

missing=()
for c in kube-apiserver kube-controller-manager; do
  [[ -x "$CACHE_DIR/$c" ]] || missing+=("$c")
done
if ((${#missing[@]})); then build_kube "${missing[@]}"; fi
etcd_current() {
  [[ -x "$CACHE_DIR/etcd" ]] && "$CACHE_DIR/etcd" --version 2>/dev/null | grep -qx "etcd Version: ${ETCD_VERSION#v}"
}
etcd_current || build_etcd

log "$("$CACHE_DIR/kube-apiserver" --version 2>&1); etcd $("$CACHE_DIR/etcd" --version 2>&1 | awk '/etcd Version/{print $3}')"
echo "$CACHE_DIR"
