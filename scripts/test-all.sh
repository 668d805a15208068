#!/usr/bin/env bash
# The test command of the README: everything CI checks, on a fresh Debian machine too.
#
#     bash scripts/test-all.sh
#
# 1. installs the peers of the interop tests when they are missing: Debian packages snmp,
#    snmpd, snmptrapd (as root, or through sudo), PyPI aiosmtpd and pysnmp (3DES), and for
#    the web UI's browser test Debian chromium and npm playwright-core, and PyPI schemathesis;
# 2. cargo fmt --check, clippy -D warnings, build of the binaries, and the tests of the whole
#    workspace (benchmarks excluded: they have their own command);
# 3. the fuzz smoke tests: schemathesis against the HTTP API (scripts/fuzz-api.sh --quick),
#    then each cargo-fuzz target for 10 s (fuzz/smoke.sh, which installs the nightly
#    toolchain and cargo-fuzz when missing).
#
# Every step runs even when an earlier one fails, so one run shows every problem; the exit
# status is non-zero when any step failed. With VIGIE_REQUIRE_PEERS=1 (as .ci/run sets it) a
# missing Net-SNMP peer fails the interop tests instead of skipping them.
set -uo pipefail

cd "$(dirname "$0")/.."

failed=()

step() {
    local name=$1
    shift
    echo
    echo "==> $name: $*"
    local started=$SECONDS
    if "$@"; then
        echo "==> $name: ok ($((SECONDS - started)) s)"
    else
        echo "==> $name: FAILED ($((SECONDS - started)) s)"
        failed+=("$name")
    fi
}

if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo not found: install Rust with rustup (https://rustup.rs), then rerun" >&2
    exit 1
fi

# Rust links through the system C compiler, which a minimal Debian image lacks.
if ! command -v cc >/dev/null 2>&1; then
    echo "==> no C compiler/linker (cc): installing gcc and libc6-dev"
    if [ "$(id -u)" -eq 0 ]; then as_root=(); else as_root=(sudo); fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends gcc libc6-dev ||
        failed+=("install gcc")
fi

# rustfmt and clippy come as rustup components.
for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
        if command -v rustup >/dev/null 2>&1; then
            step "install $component" rustup component add "$component"
        else
            echo "cargo $component is missing and rustup is not installed" >&2
            failed+=("install $component")
        fi
    fi
done

step "install Debian peers" bash scripts/install-peers.sh snmp snmpd snmptrapd openssl rsyslog
step "install netns peer" bash scripts/install-peers.sh iproute2
step "install PostgreSQL peer" bash scripts/install-peers.sh postgresql
step "install SMTP peer" bash scripts/install-python-peers.sh aiosmtpd
step "install 3DES peer" bash scripts/install-python-peers.sh pysnmp
step "install AgentX peer" bash scripts/install-python-peers.sh pyagentx3
step "install browser peers" bash scripts/install-ui-peers.sh
step "install API fuzzer" bash scripts/install-python-peers.sh schemathesis

exclude=()
if cargo metadata --no-deps --format-version 1 2>/dev/null | grep -q '"name":"vigie-bench"'; then
    exclude=(--exclude vigie-bench)
fi

step "format" cargo fmt --all --check
step "lint" cargo clippy --locked --workspace --all-targets -- -D warnings
# The interop tests run the built `vigie` binary, so it is built before the tests.
step "build" cargo build --locked --workspace --bins
step "test" cargo test --locked --workspace --no-fail-fast "${exclude[@]}"
# The HTTP API against its OpenAPI document (schemathesis), briefly; then every cargo-fuzz
# target for 10 s from its committed corpus. docs/reliability.md has the long campaigns.
step "fuzz API" bash scripts/fuzz-api.sh --quick
step "fuzz" bash fuzz/smoke.sh 10

echo
if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "all checks passed"
