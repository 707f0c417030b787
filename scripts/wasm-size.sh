#!/usr/bin/env bash
# The size of the browser client as the README's "Measured" table gives it: builds the
# size-optimised WASM (scripts/build-site.sh --release: profile wasm-release, then wasm-opt -Oz) and
# prints its bytes raw, gzip -9 and brotli -q 11 (what a CDN or the server's compression layer sends).
#   --no-build   measure target/site/pkg as it is
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/bootstrap.sh" --no-browser --no-pg
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")"
apt_install brotli
[[ "${1:-}" == "--no-build" ]] || "$ROOT/scripts/build-site.sh" --release
hashes="$ROOT/target/site/hash.txt"
[[ -f "$hashes" ]] || die "no $hashes: run without --no-build"
for ext in wasm js css; do
  # The content-hashed name build-site.sh gave the file (hash.txt: "wasm: <hash>").
  f="$ROOT/target/site/pkg/ic-portal.$(sed -n "s/^$ext: //p" "$hashes").$ext"
  [[ -f "$f" ]] || die "no $f: run without --no-build"
  printf '%-40s %10s B raw  %9s B gzip -9  %9s B brotli -q 11\n' "$(basename "$f")" \
    "$(wc -c <"$f")" "$(gzip -9 -c "$f" | wc -c)" "$(brotli -q 11 -c "$f" | wc -c)"
done
