#!/usr/bin/env bash
# Builds amtool (or, with the argument `alertmanager`, the Alertmanager server) from the wrapper module
# tests/harness/go/alertmanager into a per-version cache dir, only when that binary is missing, and prints the binary's
# path (the only thing on stdout; build chatter goes to stderr). Used by tests/monitoring/alertmanager.test.ts:
# amtool for `check-config`, `config routes test` and `template render` on monitoring/alertmanager/alertmanager.yml,
# the server on 127.0.0.1 to prove the inhibition rules.
#
#   bash tests/harness/build/build-amtool.sh                # -> ~/.cache/sas-onboarding/amtool/v0.35.0/amtool
#   bash tests/harness/build/build-amtool.sh alertmanager   # -> ~/.cache/sas-onboarding/amtool/v0.35.0/alertmanager
#
# The version is the one tests/harness/go/alertmanager/go.mod requires (one source of truth, go.sum pins every
# dependency); bump it there with `go get github.com/prometheus/alertmanager@v0.xx.y && go mod tidy`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
MOD_DIR="$ROOT/tests/harness/go/alertmanager"
MODULE="github.com/prometheus/alertmanager"

# The version go.mod requires of a module, in a one-line `require m v` or inside a `require ( ... )` block.
required_version() { awk -v m="$1" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m) { print $2; exit }' "$2"; }

log() { echo "build-amtool: $*" >&2; }

cmd="${1:-amtool}"
case "$cmd" in
  amtool|alertmanager) ;;
  *) log "unknown command '$cmd': expected amtool or alertmanager"; exit 2 ;;
esac

version="$(required_version "$MODULE" "$MOD_DIR/go.mod")"
case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) log "cannot read the $MODULE version from tests/harness/go/alertmanager/go.mod (got '$version')"; exit 2 ;;
esac

dir="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/amtool/$version"
bin="$dir/$cmd"
if [ ! -x "$bin" ]; then
  if ! command -v go >/dev/null 2>&1; then
    log "'go' is not on PATH; install Go >= $(awk '$1=="go"{print $2}' "$MOD_DIR/go.mod") (https://go.dev/dl) or put /usr/local/go/bin on PATH"
    exit 3
  fi
  log "building $MODULE/cmd/$cmd@$version into $dir"
  mkdir -p "$dir"
  # Build into a private dir and rename: a concurrent run never sees a half-written binary.
  staging="$(mktemp -d "$dir/.build-XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  t0=$SECONDS
  build_dir="$MOD_DIR"
  if [ "$cmd" = alertmanager ]; then
    # The server embeds its web UI (//go:embed app/dist in ui/web.go), which is built by npm at release time and is
    # not in the module zip: `go build` fails with "pattern app/dist: no matching files found". The tests use the
    # API only, so build from a copy of the module with a placeholder UI, through a replace in a copy of the wrapper.
    src="$(cd "$MOD_DIR" && go mod download -json "$MODULE@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$src" ] || { log "go mod download $MODULE@$version gave no directory"; exit 2; }
    cp -R "$src" "$staging/alertmanager-src"
    chmod -R u+w "$staging/alertmanager-src"
    for ui in elm mantine; do
      mkdir -p "$staging/alertmanager-src/ui/app/dist/$ui"
      echo "<!doctype html><title>Alertmanager</title><p>UI not built (sas-onboarding test build; API only)." \
        > "$staging/alertmanager-src/ui/app/dist/$ui/index.html"
    done
    build_dir="$staging/wrapper"
    mkdir -p "$build_dir"
    cp "$MOD_DIR/go.mod" "$MOD_DIR/go.sum" "$MOD_DIR/tools.go" "$build_dir/"
    (cd "$build_dir" && go mod edit -replace "$MODULE=$staging/alertmanager-src")
  fi
  (cd "$build_dir" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=${version#v} -X github.com/prometheus/common/version.Revision=module-$version -X github.com/prometheus/common/version.Branch=module" \
    -o "$staging/$cmd" "$MODULE/cmd/$cmd") >&2
  mv -f "$staging/$cmd" "$bin"
  log "built $cmd ${version#v} in $((SECONDS - t0))s"
fi
echo "$bin"
