#!/usr/bin/env bash
# Fuzzes the parsers that read outside input, for a bounded time each, from the committed corpus:
#   import_csv    the HH importer's CSV file/line parser (server/src/import/format.rs, days.rs)
#   mpan          MPAN cores (app/src/domain/mpan.rs)
#   lambda_event  API Gateway v1/v2 events into requests (server/src/lambda_event.rs)
# Usage: scripts/fuzz.sh [seconds-per-target] [target…]   (default 30 s, every target)
# cargo-fuzz (libFuzzer) on the stable toolchain, without a sanitizer (`-s none`: Rust code needs
# none to find panics and overflows, and a sanitizer needs a nightly compiler). Inputs found while
# running go to a scratch directory; fuzz/corpus/ only changes when you merge into it (see
# fuzz/README.md). Prints executions and crashes per target; exits non-zero on any crash.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

CARGO_FUZZ_VERSION="0.13.2"
seconds="${1:-30}"
shift || true
[[ "$seconds" =~ ^[0-9]+$ ]] || die "seconds per target must be a number, got $seconds"
targets=("$@")
((${#targets[@]})) || targets=(import_csv mpan lambda_event)

# libfuzzer-sys compiles libFuzzer (C++) itself.
command -v c++ >/dev/null 2>&1 || apt_install g++
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION (once; unoptimised, it only drives the build)"
  mkdir -p "$TOOLS/bin"
  CARGO_TARGET_DIR="$CACHE/tools-target" cargo install -q --debug --locked --root "$TOOLS" \
    cargo-fuzz --version "=$CARGO_FUZZ_VERSION"
fi

log "building the fuzz targets (fuzz/, instrumented, no sanitizer)"
cargo fuzz build -s none

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
results=()
failed=0
for t in "${targets[@]}"; do
  seeds="fuzz/corpus/$t"
  [[ -d "$seeds" ]] || die "no corpus for $t at $seeds"
  mkdir -p "$scratch/$t"
  log "fuzzing $t for ${seconds}s from $seeds ($(ls "$seeds" | wc -l) inputs)"
  rc=0
  # New inputs go to the scratch corpus (first directory); the committed one is only read.
  cargo fuzz run -s none "$t" "$scratch/$t" "$seeds" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$scratch/$t.log" 2>&1 || rc=$?
  execs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$scratch/$t.log" | tail -1)"
  [[ -n "$execs" ]] || execs="$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p' "$scratch/$t.log" | tail -1)"
  new="$(ls "$scratch/$t" | wc -l)"
  crashes=0
  if ((rc != 0)); then
    crashes=1; failed=1
    # libFuzzer stops at the first crash: show why and where the input was written.
    grep -E "panicked at|^(thread|==[0-9]+==|SUMMARY)|Test unit written|Failing input" -A1 "$scratch/$t.log" >&2 || tail -30 "$scratch/$t.log" >&2
  fi
  results+=("$(printf '%-13s %12s %8ss %10s %8s' "$t" "${execs:-?}" "$seconds" "$new" "$crashes")")
done

log "fuzzing results:"
printf '%-13s %12s %9s %10s %8s\n' target executions time new-inputs crashes >&2
printf '%s\n' "${results[@]}" >&2
if ((failed)); then
  die "a fuzz target crashed: reproduce with \`cargo fuzz run -s none TARGET fuzz/artifacts/TARGET/crash-…\`"
fi
log "fuzzing: 0 crashes"
