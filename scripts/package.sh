#!/usr/bin/env bash
# Everything `sam deploy` needs (infra/template.yaml), built here and touching no AWS account:
#   target/package/portal.zip   the portal: `bootstrap` (cargo lambda build --release, binary
#                               `server`) and site/ (target/site without the client's binaries,
#                               which the page loads from the static origin)
#   target/package/jobs.zip     the jobs: `bootstrap` (binary `jobs`, feature aws: ingest,
#                               migrate, alerts-daily)
#   target/package/static/      target/site as `scripts/build-site.sh --release` leaves it, every
#                               file, to upload to the static bucket (scripts/deploy.sh)
#   target/package/manifest.txt architecture, sizes, the files of static/
# Each zip must stay within 8 MB (checked). Options:
#   --x86_64      build for x86_64 (deploy with Architecture=x86_64): where rustup cannot add
#                 the aarch64 target, this is the default (scripts/bootstrap.sh records it)
#   --no-site     reuse target/site as it is (do not run build-site.sh --release)
# Prints each step's time.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
aws_tools_path
export SQLX_OFFLINE=true

arch="$(cat "$CACHE/lambda-arch" 2>/dev/null || echo arm64)"
build_site=1
for a in "$@"; do
  case "$a" in
    --x86_64) arch=x86_64 ;;
    --arm64) arch=arm64 ;;
    --no-site) build_site=0 ;;
    *) die "unknown option $a (use --x86_64, --arm64, --no-site)" ;;
  esac
done
case "$arch" in
  arm64) target=aarch64-unknown-linux-gnu ;;
  x86_64) target=x86_64-unknown-linux-gnu ;;
  *) die "unknown architecture $arch" ;;
esac
command -v cargo-lambda >/dev/null || die "cargo-lambda is not installed: run scripts/bootstrap.sh"

MAX_ZIP_BYTES=$((8 * 1000 * 1000))
out="$ROOT/target/package"
lambda_dir="$CARGO_TARGET_DIR/lambda-$arch"
started=$(date +%s); t=$started
took() { local now; now=$(date +%s); log "$1: $((now - t)) s"; t=$now; }

if ((build_site)); then
  "$ROOT/scripts/build-site.sh" --release
  took "static files (scripts/build-site.sh --release)"
fi
[[ -d "$ROOT/target/site/pkg" ]] || die "target/site/pkg is missing: run scripts/build-site.sh --release"

# One cargo invocation for both binaries: the server library is compiled once (with `aws`); the
# portal binary references none of the S3 code, which the linker therefore leaves out (checked
# below).
# The release profile optimised for size (opt-level "s"): at opt-level 3 the portal's zip was
# 9.9 MB (bootstrap 24.3 MB, arm64), over the 8 MB allowed; smaller also loads faster at a cold
# start. cargo-lambda adds its own release settings (target CPU) as with any --release build.
log "building the Lambda binaries for $arch ($target) with cargo-lambda (release, opt-level s)"
CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
  cargo lambda build --release --target "$target" -p server --bin server --bin jobs --features aws \
  --lambda-dir "$lambda_dir"
took "cargo lambda build (server + jobs, $arch)"

rm -rf "$out"
mkdir -p "$out/portal/site" "$out/jobs" "$out/static"
cp "$lambda_dir/server/bootstrap" "$out/portal/bootstrap"
cp "$lambda_dir/jobs/bootstrap" "$out/jobs/bootstrap"
# The static files, all of them, as the build left them (hashed names, compressed copies).
cp -r "$ROOT/target/site/." "$out/static/"
# The portal's own copy of the site: what it may serve itself (favicon, public files, the hash
# file a hashed build reads), without the client's binaries and compressed copies.
(cd "$ROOT/target/site" && find . -type f ! -name '*.wasm' ! -name '*.br' ! -name '*.gz' -print0 \
  | xargs -0 -I{} cp --parents {} "$out/portal/site/")
# Leptos reads the hash file (hash-files builds) beside the executable.
for f in "$ROOT"/target/site/hash.txt "$ROOT"/target/site/pkg/hash.txt; do
  [[ -f "$f" ]] && cp "$f" "$out/portal/"
done

if grep -qa 'aws-sdk-s3' "$out/portal/bootstrap"; then
  die "the portal binary contains the S3 SDK: it should only be in the jobs binary"
fi

zip_dir() { (cd "$1" && rm -f "$2" && zip -q -X -r -9 "$2" .); }
command -v zip >/dev/null 2>&1 || apt_install zip
zip_dir "$out/portal" "$out/portal.zip"
zip_dir "$out/jobs" "$out/jobs.zip"
took "zips"

{
  echo "architecture: $arch ($target)"
  for z in portal jobs; do
    echo "$z.zip: $(stat -c %s "$out/$z.zip") bytes (bootstrap $(stat -c %s "$out/$z/bootstrap") bytes unzipped)"
  done
  echo "static files: $(find "$out/static" -type f | wc -l), $(du -sb "$out/static" | cut -f1) bytes"
  (cd "$out/static" && find . -type f | sed 's#^\./##' | sort)
} >"$out/manifest.txt"
head -4 "$out/manifest.txt" >&2

for z in portal jobs; do
  size=$(stat -c %s "$out/$z.zip")
  ((size <= MAX_ZIP_BYTES)) || die "$z.zip is $size bytes: more than the 8 MB allowed"
done
log "packaged in $(( $(date +%s) - started )) s: target/package (portal.zip, jobs.zip, static/)"
