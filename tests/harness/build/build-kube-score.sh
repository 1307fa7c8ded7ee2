#!/usr/bin/env bash
# Builds kube-score (github.com/zegl/kube-score/cmd/kube-score) from the wrapper module tests/harness/go/kube-score
# into a per-version cache dir, only when that binary is missing, and prints the binary's path (the only thing on
# stdout; build chatter goes to stderr). Used by tests/realparts/kube-score.test.ts, which scores every rendered
# object of every stack and fails on any CRITICAL finding not listed, with a reason, in policy/kube-score-ignore.yaml.
#
#   bash tests/harness/build/build-kube-score.sh        # -> ~/.cache/sas-onboarding/kube-score/v1.20.0/kube-score
#
# The version is the one tests/harness/go/kube-score/go.mod requires (one source of truth, go.sum pins every
# dependency); bump it there with `go get github.com/zegl/kube-score@vX.Y.Z && go mod tidy`
# (`go list -m -versions github.com/zegl/kube-score` lists what the Go module proxy serves).
# Cold build (module download + compile) on 2 cores: about a minute; a warm cache prints the path at once.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
MOD_DIR="$ROOT/tests/harness/go/kube-score"
MODULE="github.com/zegl/kube-score"

log() { echo "build-kube-score: $*" >&2; }

# The version go.mod requires of a module, in a one-line `require m v` or inside a `require ( ... )` block.
required_version() { awk -v m="$1" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m) { print $2; exit }' "$2"; }

version="$(required_version "$MODULE" "$MOD_DIR/go.mod")"
case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) log "cannot read the $MODULE version from tests/harness/go/kube-score/go.mod (got '$version')"; exit 2 ;;
esac

dir="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/kube-score/$version"
bin="$dir/kube-score"
if [ ! -x "$bin" ]; then
  if ! command -v go >/dev/null 2>&1; then
    log "'go' is not on PATH; install Go >= $(awk '$1=="go"{print $2}' "$MOD_DIR/go.mod") (https://go.dev/dl) or put /usr/local/go/bin on PATH"
    exit 3
  fi
  log "building $MODULE/cmd/kube-score@$version into $dir"
  mkdir -p "$dir"
  # Build into a private dir and rename: a concurrent run never sees a half-written binary.
  staging="$(mktemp -d "$dir/.build-XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  t0=$SECONDS
  # `version` is what goreleaser stamps into upstream release binaries; `kube-score version` then names the module.
  (cd "$MOD_DIR" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-s -w -X main.version=${version#v} -X main.commit=module-$version -X main.date=N/A" \
    -o "$staging/kube-score" "$MODULE/cmd/kube-score") >&2
  mv -f "$staging/kube-score" "$bin"
  log "built kube-score ${version#v} in $((SECONDS - t0))s"
fi
echo "$bin"
