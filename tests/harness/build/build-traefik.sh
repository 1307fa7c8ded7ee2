#!/usr/bin/env bash
# Builds the real Traefik (github.com/traefik/traefik/v3 cmd/traefik) through the Go module proxy, via the
# wrapper module tests/harness/go/traefik, for tests/harness/realparts/traefik.ts (the ingress controller
# outside the embedded cluster).
#
#   bash tests/harness/build/build-traefik.sh        # prints the path of the traefik binary
#
# - The binary lands in ${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/traefik/<version>/traefik and is built only
#   when missing (into a temp dir, then moved). Cold build on 2 cores: ~8 min (docs/REAL-NODE.md).
# - The web UI: the module zip carries webui/static with only a placeholder file (the Vue app is built by
#   `make build-webui-image`, with Docker and npm), so the binary serves no dashboard UI. The API and the
#   providers are whole; nothing here needs the dashboard.
# - Traefik's go.mod replaces (its nested module github.com/traefik/traefik/dynamic/ext, containous forks) are
#   repeated in the wrapper's go.mod: a dependent module does not inherit them.
# - The module proxy here answers 403 "This module version is not available" for some of traefik's dependencies
#   (docs/REAL-NODE.md lists them): the SDKs of 13 of lego's ACME DNS providers, and containous/go-http-auth (the
#   fork behind the basicAuth/digestAuth middlewares). The build therefore runs in a workspace next to the binary
#   ($DIR/.src): the wrapper module, plus a copy of github.com/go-acme/lego/v5 whose registry of DNS providers
#   leaves those 13 out (naming one of them in an ACME dnsChallenge is an error), and
#   github.com/abbot/go-http-auth v0.4.0 (the upstream of the fork) in place of the fork, with the two functions
#   traefik needs from the fork added (tests/harness/go/traefik/go-http-auth-compat/).
#   TRAEFIK_PATCH_UNAVAILABLE=0 builds the wrapper module as is (for a proxy that serves everything).
# Everything the build says goes to stderr (full go output in a log file); stdout carries only the path.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
MOD="$ROOT/tests/harness/go/traefik"
VERSION="$(awk '$1=="require" && $2=="github.com/traefik/traefik/v3" {print $3; exit} ($1=="github.com/traefik/traefik/v3" && $2 ~ /^v/) {print $2; exit}' "$MOD/go.mod")"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding"
DIR="$CACHE_ROOT/traefik/$VERSION"
LOG="$CACHE_ROOT/build-logs/traefik.log"

log() { echo "build-traefik: $*" >&2; }
die() { echo "build-traefik: error: $1" >&2; exit "${2:-1}"; }
[[ -n "$VERSION" ]] || die "cannot read the version of github.com/traefik/traefik/v3 from $MOD/go.mod" 2

# The lego DNS providers whose SDK modules the proxy does not serve (package dir names under providers/dns).
UNAVAILABLE_DNS_PROVIDERS="alidns aliesa azion dnsimple edgedns edgeone huaweicloud oraclecloud regfish sakuracloud tencentcloud ucloud yandexcloud"
LEGO_MODULE=github.com/go-acme/lego/v5

# prepare_workspace DIR: the wrapper module + a patched lego copy + go-http-auth upstream, in DIR.
prepare_workspace() {
  local ws="$1" lego_version lego_dir
  mkdir -p "$ws"
  cp -r "$MOD/go.mod" "$MOD/go.sum" "$MOD/tools.go" "$MOD/dynamic-ext" "$ws/"
  lego_version="$(awk -v m="$LEGO_MODULE" '$1==m {print $2; exit}' "$MOD/go.mod")"
  lego_dir="$(cd "$ws" && go mod download -json "$LEGO_MODULE@$lego_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$lego_dir" ]] || { echo "cannot download $LEGO_MODULE@$lego_version"; return 1; }
  cp -r "$lego_dir" "$ws/lego"
  chmod -R u+w "$ws/lego"
  local p
  for p in $UNAVAILABLE_DNS_PROVIDERS; do rm -rf "$ws/lego/providers/dns/$p"; done
  rm -f "$ws/lego/providers/dns/dns_providers_test.go"
  # The generated registry: drop the imports; the cases return an error instead.
  UNAVAILABLE="$UNAVAILABLE_DNS_PROVIDERS" python3 - "$ws/lego/providers/dns/zz_gen_dns_providers.go" <<'PY'
import os, re, sys
path = sys.argv[1]
names = os.environ["UNAVAILABLE"].split()
src = open(path).read()
for n in names:
    src, k = re.subn(r'^\t"github.com/go-acme/lego/v5/providers/dns/%s"\n' % n, "", src, flags=re.M)
    assert k == 1, "import of %s not found" % n
    src, k = re.subn(r'return %s\.NewDNSProvider\(\)' % n,
                     'return nil, fmt.Errorf("DNS provider %%q is not built into this traefik (its SDK module is not on the Go module proxy)", name)', src)
    assert k == 1, "case of %s not found" % n
open(path, "w").write(src)
PY
  # go-http-auth: upstream v0.4.0 plus the two functions traefik uses from the fork (go-http-auth-compat/).
  local auth_dir
  auth_dir="$(cd "$ws" && go mod download -json github.com/abbot/go-http-auth@v0.4.0 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$auth_dir" ]] || { echo "cannot download github.com/abbot/go-http-auth@v0.4.0"; return 1; }
  cp -r "$auth_dir" "$ws/go-http-auth"
  chmod -R u+w "$ws/go-http-auth"
  rm -rf "$ws/go-http-auth/examples" "$ws/go-http-auth"/*_test.go
  printf 'module github.com/abbot/go-http-auth\n\ngo 1.16\n' >"$ws/go-http-auth/go.mod"
  cp "$MOD/go-http-auth-compat/traefik_fork_compat.go.txt" "$ws/go-http-auth/traefik_fork_compat.go"
  (cd "$ws" && go mod edit -replace "$LEGO_MODULE=./lego" -replace github.com/abbot/go-http-auth=./go-http-auth)
}

if [[ ! -x "$DIR/traefik" ]]; then
  command -v go >/dev/null 2>&1 || die "Go is not on PATH; install Go >= $(awk '$1=="go"{print $2}' "$MOD/go.mod")" 3
  mkdir -p "$DIR" "$(dirname "$LOG")"
  log "building traefik $VERSION into $DIR (cold: ~8 min on 2 cores); log: $LOG"
  t0=$SECONDS
  tmp="$(mktemp -d "$DIR/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  pkg=github.com/traefik/traefik/v3/pkg/version
  ldflags="-s -w -X $pkg.Version=$VERSION -X $pkg.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  src="$MOD" modflag=""
  if [[ "${TRAEFIK_PATCH_UNAVAILABLE:-1}" != 0 ]]; then
    src="$tmp/src" modflag="-mod=mod"
    prepare_workspace "$src" >"$LOG" 2>&1 || die "preparing the build workspace failed; log: $LOG; last lines: $(tail -n 3 "$LOG" | tr '\n' ' ')" 4
  fi
  if ! (cd "$src" && CGO_ENABLED=0 go build $modflag -trimpath -ldflags "$ldflags" -o "$tmp/traefik" github.com/traefik/traefik/v3/cmd/traefik) >>"$LOG" 2>&1; then
    die "building traefik failed; log: $LOG; last lines: $(tail -n 3 "$LOG" | tr '\n' ' ')" 4
  fi
  mv -f "$tmp/traefik" "$DIR/traefik"
  log "built traefik in $((SECONDS - t0))s"
fi
log "$("$DIR/traefik" version 2>&1 | awk '/^Version:/{print "traefik " $2}')"
echo "$DIR/traefik"
