#!/usr/bin/env bash
# Builds the browser side of the site into target/site: the WASM client (app with `hydrate`) bound
# by wasm-bindgen, the stylesheet and public/, with content-hashed names in pkg/
# (ic-portal.<hash>.{js,wasm,css}) and target/site/hash.txt naming them, in Leptos's format, for
# the server (server/src/site.rs). A browser may then keep each pkg/ file for good: a changed file
# gets a new name. This is what `cargo leptos build --frontend-only` does with `hash-files = true`,
# without needing cargo-leptos (a ~35-minute install on 2 cores) on the paths that run and test the
# portal; `cargo leptos watch` remains the development loop (scripts/bootstrap.sh --dev installs it).
#   --release   size-optimised client (profile wasm-release, then wasm-opt -Oz), and every pkg/
#               file also written pre-compressed (.br: brotli -q 11, .gz: gzip -9) for the server
#               to send as it is
# Files of earlier builds are removed from pkg/ once hash.txt names the new ones.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

profile=dev; dir=debug
if [[ "${1:-}" == "--release" ]]; then profile=wasm-release; dir=wasm-release; fi
[[ "$profile" == wasm-release ]] && apt_install brotli

name=ic-portal
site="$ROOT/target/site"
pkg="$site/pkg"

cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --profile "$profile"
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$dir/app.wasm"
[[ -f "$wasm" ]] || die "expected the client at $wasm"

# Staged beside the site (same file system), so each file lands in pkg/ by an atomic rename and
# a running server never serves half a file.
mkdir -p "$pkg"
tmp="$(mktemp -d "$ROOT/target/.site-build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name "$name" "$wasm"
if [[ "$profile" == wasm-release ]]; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals -o "$tmp/${name}_bg.opt.wasm" "$tmp/${name}_bg.wasm"
  mv "$tmp/${name}_bg.opt.wasm" "$tmp/${name}_bg.wasm"
fi
mv "$tmp/${name}_bg.wasm" "$tmp/$name.wasm"
cp "$ROOT/style/main.css" "$tmp/$name.css"

# cargo-leptos's content hash: MD5, URL-safe base64 without padding (22 characters). It names
# files, it does not protect them.
content_hash() { openssl dgst -md5 -binary "$1" | basenc --base64url | tr -d '=\n'; }
# stem.ext → stem.<hash>.ext (prints the new path)
hashed_name() { local f=$1 h; h="$(content_hash "$f")"; echo "${f%.*}.$h.${f##*.}"; }
sed_escape() { printf '%s' "$1" | sed 's/[.[\*^$/]/\\&/g'; }

# Inline JS of crates (#[wasm_bindgen(inline_js)]) lands in snippets/, which the JS glue imports
# as './snippets/…': hashed first, and the imports rewritten, so the glue's own hash covers them.
if [[ -d "$tmp/snippets" ]]; then
  while IFS= read -r -d '' f; do
    new="$(hashed_name "$f")"
    mv "$f" "$new"
    old_rel="./${f#"$tmp/"}" new_rel="./${new#"$tmp/"}"
    sed -i "s/\(['\"]\)$(sed_escape "$old_rel")\1/\1$(sed_escape "$new_rel")\1/g" "$tmp/$name.js"
  done < <(find "$tmp/snippets" -type f -print0)
fi
wasm_hashed="$(hashed_name "$tmp/$name.wasm")"
css_hashed="$(hashed_name "$tmp/$name.css")"
mv "$tmp/$name.wasm" "$wasm_hashed"
mv "$tmp/$name.css" "$css_hashed"
# The page gives the glue the WASM's URL; its own default names wasm-bindgen's file: the real one.
sed -i "s/'${name}_bg\.wasm'/'$(sed_escape "$(basename "$wasm_hashed")")'/g" "$tmp/$name.js"
js_hashed="$(hashed_name "$tmp/$name.js")"
mv "$tmp/$name.js" "$js_hashed"

if [[ "$profile" == wasm-release ]]; then
  mapfile -d '' files < <(find "$tmp" -type f -print0)
  for f in "${files[@]}"; do
    gzip -9 -n -k "$f"
    brotli -q 11 -k "$f"
  done
fi

# Into pkg/ (new names, so nothing a running server sends is replaced), then the hash file.
hash_of() { local n; n="$(basename "$1")"; n="${n%.*}"; echo "${n##*.}"; }
keep=()
while IFS= read -r -d '' f; do
  rel="${f#"$tmp/"}"
  mkdir -p "$(dirname "$pkg/$rel")"
  mv -f "$f" "$pkg/$rel"
  keep+=("$pkg/$rel")
done < <(find "$tmp" -type f -print0)
printf 'js: %s\nwasm: %s\ncss: %s\n' "$(hash_of "$js_hashed")" "$(hash_of "$wasm_hashed")" \
  "$(hash_of "$css_hashed")" >"$tmp/hash.txt"
mv -f "$tmp/hash.txt" "$site/hash.txt"

# Earlier builds' files (and cargo-leptos's), now named by no page.
pruned=0
while IFS= read -r -d '' f; do
  printf '%s\n' "${keep[@]}" | grep -qxF -- "$f" && continue
  rm -f "$f"; pruned=$((pruned + 1))
done < <(find "$pkg" -type f -print0)
find "$pkg" -mindepth 1 -type d -empty -delete

cp -r "$ROOT/public/." "$site/"
log "site built in target/site: $(basename "$wasm_hashed") $(du -h "$pkg/$(basename "$wasm_hashed")" | cut -f1)," \
  "profile $profile$([[ "$profile" == wasm-release ]] && echo ', with .br and .gz'); $pruned earlier file(s) removed"
