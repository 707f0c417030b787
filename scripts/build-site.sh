#!/usr/bin/env bash
# Builds the browser side of the site into target/site: the WASM client (app with `hydrate`) bound
# by wasm-bindgen into pkg/ic-portal.{js,wasm}, the stylesheet as pkg/ic-portal.css, and public/.
# This is what `cargo leptos build --frontend-only` does for a dev build, without needing
# cargo-leptos (a ~35-minute install on 2 cores) on the paths that run and test the portal;
# `cargo leptos watch` remains the development loop (scripts/bootstrap.sh --dev installs it).
#   --release   size-optimised client (profile wasm-release, then wasm-opt -Oz)
# The names must match what the server puts in the page: LEPTOS_OUTPUT_NAME in .cargo/config.toml
# (set at compile time, so the page asks for ic-portal.wasm, not ic-portal_bg.wasm).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

profile=dev; dir=debug
if [[ "${1:-}" == "--release" ]]; then profile=wasm-release; dir=wasm-release; fi

name=ic-portal
site="$ROOT/target/site"
pkg="$site/pkg"

cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --profile "$profile"
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$dir/app.wasm"
[[ -f "$wasm" ]] || die "expected the client at $wasm"

mkdir -p "$pkg"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name "$name" "$wasm"
if [[ "$profile" == wasm-release ]]; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals -o "$tmp/${name}_bg.opt.wasm" "$tmp/${name}_bg.wasm"
  mv "$tmp/${name}_bg.opt.wasm" "$tmp/${name}_bg.wasm"
fi
# Replace atomically per file so a running server never serves half a file.
mv -f "$tmp/${name}_bg.wasm" "$pkg/$name.wasm"
mv -f "$tmp/$name.js" "$pkg/$name.js"
# Inline JS of crates (#[wasm_bindgen(inline_js)]) lands in snippets/, which the JS imports.
if [[ -d "$tmp/snippets" ]]; then rm -rf "$pkg/snippets"; mv "$tmp/snippets" "$pkg/snippets"; fi
cp "$ROOT/style/main.css" "$pkg/$name.css"
cp -r "$ROOT/public/." "$site/"
log "site built in target/site ($(du -h "$pkg/$name.wasm" | cut -f1) WASM, profile $profile)"
