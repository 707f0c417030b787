# Shared settings for the project's scripts (sourced, not run).
# Tools and the cargo target dir live outside the clone so a fresh clone reuses them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PORTAL_CACHE:-$HOME/.cache/ic-portal}"
TOOLS="$CACHE/tools"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"

# Versions that must match each other: the wasm-bindgen crate pinned in Cargo.toml and its CLI.
CARGO_LEPTOS_VERSION="0.3.11"
WASM_BINDGEN_VERSION="0.2.130"
BINARYEN_NPM_VERSION="132.0.0"

export PATH="$TOOLS/bin:$HOME/.cargo/bin:$PATH"

# The AWS tools (PyPI, in one venv; scripts/bootstrap.sh installs them): cargo-lambda and zig for
# Lambda builds, cfn-lint and aws-sam-cli for the template, moto's S3 server for the ingest tests.
AWS_VENV="$TOOLS/aws-venv"
CARGO_LAMBDA_VERSION="1.9.2"
ZIGLANG_VERSION="0.17.1"
CFN_LINT_VERSION="1.58.0"
AWS_SAM_CLI_VERSION="1.170.0"
MOTO_VERSION="5.2.5"
# Puts the AWS tools on PATH (after the project's own, so its `python3` shadows nothing else's).
# cargo-lambda finds zig (PyPI ziglang) through CARGO_ZIGBUILD_ZIG_PATH: its own search would try
# `python3 -m ziglang` with the first python3 on PATH, which is not the venv's.
aws_tools_path() {
  export PATH="$PATH:$AWS_VENV/bin" SAM_CLI_TELEMETRY=0
  local zig
  for zig in "$AWS_VENV"/lib/python3*/site-packages/ziglang/zig; do
    [[ -x "$zig" ]] && export CARGO_ZIGBUILD_ZIG_PATH="$zig"
  done
  return 0
}
# The toolchain the scripts build with; bootstrap.sh writes the choice here.
if [[ -f "$CACHE/toolchain" ]]; then
  export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")"
fi

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

apt_install() {
  # Installs Debian packages that are missing; quiet when all are present.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
