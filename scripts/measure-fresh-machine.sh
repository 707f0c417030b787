#!/usr/bin/env bash
# Measures time to a first green test run on a new machine: a fresh clone of this repository's
# HEAD, run with an empty HOME (so no ~/.cache/ic-portal: no tools, no build artefacts), an empty
# CARGO_HOME (every crate downloaded again) and an empty npm cache. What it cannot make new: the
# Rust toolchain itself (rustup's, shared through RUSTUP_HOME, as a new machine has it) and
# Debian packages already installed (PostgreSQL, Chromium), which bootstrap.sh installs otherwise.
# Prints .ci/run's own phase table and the total. Takes 20-40 minutes on 2 cores.
#   KEEP=1 keeps the scratch folder (default: removed at the end).
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d /tmp/ic-portal-fresh.XXXXXX)"
# Postgres runs as the `postgres` user when we are root: it must reach target/pg inside the clone.
chmod 755 "$scratch"
[[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$scratch"' EXIT
git clone -q "$src" "$scratch/clone"
mkdir -p "$scratch/home"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
cargo_bin="$(dirname "$(command -v cargo)")"
echo "fresh clone of $(git -C "$src" rev-parse --short HEAD) in $scratch; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
rc=0
env -i PATH="$cargo_bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  HOME="$scratch/home" CARGO_HOME="$scratch/cargo" RUSTUP_HOME="$RUSTUP_HOME" \
  npm_config_cache="$scratch/npm-cache" TERM=dumb LANG=C.UTF-8 \
  "$scratch/clone/.ci/run" || rc=$?
end=$(date +%s)
echo "fresh machine: .ci/run exited $rc after $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s (load now $(cut -d' ' -f1-3 /proc/loadavg))"
exit $rc
