#!/usr/bin/env bash
# Installs everything the portal needs to build, run and test; idempotent and quiet when all is present.
#   - a Rust toolchain that can target wasm32 (rustup's when it can download the target, otherwise
#     Debian's rustc-web with a wasm32 std built once from rust-web-src; see choose_toolchain below)
#   - wasm-bindgen-cli (same version as the crate), wasm-opt (npm binaryen), brotli; with --dev also
#     cargo-leptos, for `cargo leptos watch` (running and testing the portal do not need it)
#   - PostgreSQL binaries, Chromium, the end2end Node packages
#   - the local SMTP sink (PyPI aiosmtpd in a venv under ~/.cache/ic-portal/tools/smtp-sink)
#   - the AWS tools (PyPI cargo-lambda, ziglang, cfn-lint, aws-sam-cli, moto in a venv under
#     ~/.cache/ic-portal/tools/aws-venv) and, where rustup can get it, the aarch64 Rust target
#     (--no-aws skips both)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$TOOLS/bin"

need_pg=1; need_browser=1; need_dev=0; need_aws=1
for a in "$@"; do
  case "$a" in
    --no-browser) need_browser=0 ;;
    --no-pg) need_pg=0 ;;
    --no-aws) need_aws=0 ;;
    --dev) need_dev=1 ;;
    *) die "unknown option $a (use --no-browser, --no-pg, --no-aws, --dev)" ;;
  esac
done

# --- 1. Rust toolchain with a wasm32 std ---------------------------------------------------
choose_toolchain() {
  if [[ -f "$CACHE/toolchain" ]]; then
    local tc; tc="$(cat "$CACHE/toolchain")"
    if rustup run "$tc" rustc --version >/dev/null 2>&1 \
       && ls "$(rustup run "$tc" rustc --print sysroot)"/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib >/dev/null 2>&1; then
      return 0
    fi
  fi
  # The normal path: rustup downloads the target.
  local def; def="$(rustup show active-toolchain 2>/dev/null | awk '{print $1}')"
  if [[ "${PORTAL_FORCE_DEBIAN_RUST:-0}" != 1 && -n "$def" ]] && rustup target add --toolchain "$def" wasm32-unknown-unknown >/dev/null 2>&1; then
    log "using rustup toolchain $def with wasm32 from rustup"
    echo "$def" >"$CACHE/toolchain"; return 0
  fi
  log "rustup cannot add wasm32-unknown-unknown here: using Debian's rustc-web"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
  rustup toolchain list | grep -q '^debian' || rustup toolchain link debian /usr
  build_wasm_std debian
  echo debian >"$CACHE/toolchain"
}

build_wasm_std() {
  local tc="$1" sysroot dest
  sysroot="$(rustup run "$tc" rustc --print sysroot)"
  dest="$sysroot/lib/rustlib/wasm32-unknown-unknown/lib"
  ls "$dest"/libstd-*.rlib >/dev/null 2>&1 && return 0
  log "building the wasm32 std from Debian's rust-web-src (once, ~1-3 min)"
  local work="$CACHE/wasm-std"
  rm -rf "$work"; mkdir -p "$work/src"
  cat >"$work/Cargo.toml" <<'TOML'
[package]
name = "wasm-std-dummy"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
[workspace]
TOML
  echo '#![no_std]' >"$work/src/lib.rs"
  # rustc's own bootstrap compiles panic_abort with -C panic=abort; do the same for that crate only.
  cat >"$work/rustc-wrapper.sh" <<'SH'
#!/usr/bin/env bash
rustc="$1"; shift
for a in "$@"; do
  if [[ "$a" == "panic_abort" ]]; then exec "$rustc" "$@" -C panic=abort; fi
done
exec "$rustc" "$@"
SH
  chmod +x "$work/rustc-wrapper.sh"
  (cd "$work" && RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes RUSTC_WRAPPER="$work/rustc-wrapper.sh" \
     CARGO_TARGET_DIR="$work/target" rustup run "$tc" cargo build -q --release \
     --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort,test)
  mkdir -p "$dest"
  find "$work/target/wasm32-unknown-unknown/release/deps" -name '*.rlib' ! -name 'libwasm_std_dummy-*' \
    -exec cp {} "$dest/" \;
  rm -rf "$work"
}

if [[ "${PORTAL_FORCE_DEBIAN_RUST:-0}" == 1 ]]; then echo none >"$CACHE/toolchain"; fi
choose_toolchain
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")"

# The build tools only orchestrate (they are not in the portal's hot path), so they are installed
# unoptimised (`--debug`): on 2 cores that roughly halves their compile time.
tool_install() {
  CARGO_TARGET_DIR="$CACHE/tools-target" RUSTUP_TOOLCHAIN="$TOOL_TC" \
    cargo install -q --debug --root "$TOOLS" "$@"
}
TOOL_TC="$RUSTUP_TOOLCHAIN"
if ! "$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes on a fresh machine)"
  # Without --locked: its lockfile wants a webpki-roots version the registry lacks.
  tool_install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi
if ((need_dev)) && ! "$TOOLS/bin/cargo-leptos" --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  # cargo-leptos 0.3.11 needs rustc >= 1.96: install it with Debian's rustc-web when the project's
  # toolchain is older (the tool's compiler need not match the project's).
  rustc_minor() { rustup run "$1" rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/'; }
  if (( $(rustc_minor "$TOOL_TC") < 96 )); then
    apt_install rustc-web cargo-web
    rustup toolchain list | grep -q '^debian' || rustup toolchain link debian /usr
    TOOL_TC=debian
  fi
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION for \`cargo leptos watch\` (slow: a few hundred crates to compile on a fresh machine)"
  tool_install cargo-leptos --version "=$CARGO_LEPTOS_VERSION" --locked
fi
# Debian's binaryen (108) silently breaks hydration; npm's binaryen works.
if ! [[ -x "$TOOLS/node_modules/binaryen/bin/wasm-opt" ]] \
   || ! grep -q "\"version\": \"$BINARYEN_NPM_VERSION\"" "$TOOLS/node_modules/binaryen/package.json" 2>/dev/null; then
  log "installing wasm-opt (npm binaryen@$BINARYEN_NPM_VERSION)"
  [[ -f "$TOOLS/package.json" ]] || echo '{"private":true}' >"$TOOLS/package.json"
  (cd "$TOOLS" && npm install --silent --no-audit --no-fund "binaryen@$BINARYEN_NPM_VERSION" >/dev/null)
fi
ln -sf "$TOOLS/node_modules/binaryen/bin/wasm-opt" "$TOOLS/bin/wasm-opt"
# brotli: scripts/build-site.sh --release writes the client's files pre-compressed (.br) with it.
apt_install brotli

# --- 2b. The local SMTP sink (scripts/smtp-sink.py, started by scripts/mail.sh) ---------------
AIOSMTPD_VERSION="1.4.6"
if ! "$TOOLS/smtp-sink/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  log "installing the local SMTP sink (PyPI aiosmtpd $AIOSMTPD_VERSION in a venv)"
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -m venv "$TOOLS/smtp-sink" 2>/dev/null || { apt_install python3-venv; rm -rf "$TOOLS/smtp-sink"; python3 -m venv "$TOOLS/smtp-sink"; }
  "$TOOLS/smtp-sink/bin/python" -m pip install -q --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi

# --- 2c. AWS tools: cargo-lambda + zig, cfn-lint, aws-sam-cli, moto (PyPI, one venv) ---------
if ((need_aws)); then
  aws_wanted="cargo-lambda==$CARGO_LAMBDA_VERSION ziglang==$ZIGLANG_VERSION cfn-lint==$CFN_LINT_VERSION aws-sam-cli==$AWS_SAM_CLI_VERSION moto[server,s3]==$MOTO_VERSION"
  if [[ "$(cat "$AWS_VENV/.installed" 2>/dev/null)" != "$aws_wanted" ]]; then
    log "installing the AWS tools (PyPI: cargo-lambda, ziglang, cfn-lint, aws-sam-cli, moto; ~1 min)"
    command -v python3 >/dev/null 2>&1 || apt_install python3
    rm -rf "$AWS_VENV"
    python3 -m venv "$AWS_VENV" 2>/dev/null || { apt_install python3-venv; rm -rf "$AWS_VENV"; python3 -m venv "$AWS_VENV"; }
    # shellcheck disable=SC2086
    "$AWS_VENV/bin/python" -m pip install -q --disable-pip-version-check $aws_wanted
    echo "$aws_wanted" >"$AWS_VENV/.installed"
  fi
  # arm64 Lambda builds: the aarch64 std from rustup where it can download it; otherwise the
  # functions are built for x86_64 (scripts/package.sh reads this file; template parameter
  # Architecture=x86_64).
  if [[ ! -f "$CACHE/lambda-arch" ]] || [[ "$(cat "$CACHE/lambda-arch")" != arm64 ]]; then
    if rustup target add --toolchain "$RUSTUP_TOOLCHAIN" aarch64-unknown-linux-gnu >/dev/null 2>&1 \
       && ls "$(rustup run "$RUSTUP_TOOLCHAIN" rustc --print sysroot)"/lib/rustlib/aarch64-unknown-linux-gnu/lib/libstd-*.rlib >/dev/null 2>&1; then
      echo arm64 >"$CACHE/lambda-arch"
    else
      log "rustup cannot add aarch64-unknown-linux-gnu here: Lambda functions will be built for x86_64"
      echo x86_64 >"$CACHE/lambda-arch"
    fi
  fi
fi

# --- 3. PostgreSQL binaries, Chromium, Playwright ---------------------------------------------
if ((need_pg)) && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql
fi
if ((need_browser)); then
  command -v chromium >/dev/null 2>&1 || apt_install chromium
  if [[ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]] \
     || [[ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]]; then
    log "installing end2end Node packages (npm ci; no browser download)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund >/dev/null)
  fi
fi
