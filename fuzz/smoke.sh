#!/usr/bin/env bash
# The fuzz smoke test of `scripts/test-all.sh`: builds every cargo-fuzz target of
# fuzz/Cargo.toml (nightly, AddressSanitizer, unoptimised: a cold build of the targets and
# their dependencies must fit in the test command's time) and runs each one briefly from its
# committed corpus; fails when one crashes, leaks, times out or does not build. The
# ten-minute campaigns of docs/reliability.md use optimised builds.
#
#     bash fuzz/smoke.sh        # 20 s per target (scripts/test-all.sh gives 10)
#     bash fuzz/smoke.sh 5      # 5 s per target
#
# Installs what is missing: the nightly toolchain (minimal profile) and cargo-fuzz. The
# build goes to $CARGO_TARGET_DIR/fuzz when CARGO_TARGET_DIR is set (so that the sanitizer
# flags never invalidate the workspace's own build), else to fuzz/target. Inputs found on
# the way go to a temporary directory: the committed corpora stay as they are.
set -euo pipefail

cd "$(dirname "$0")"
seconds=${1:-20}

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

target_dir=${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR/fuzz}
target_dir=${target_dir:-$PWD/target}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cargo +nightly fuzz build --dev --target-dir "$target_dir"

failed=()
for target in $(cargo +nightly fuzz list); do
    mkdir -p "corpus/$target" "$scratch/$target"
    echo "==> fuzz $target: ${seconds} s"
    if ! cargo +nightly fuzz run --dev --target-dir "$target_dir" "$target" \
        "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
        2>"$scratch/$target.log"; then
        grep -E "ERROR|panicked|Test unit written|SUMMARY" "$scratch/$target.log" >&2 || true
        tail -n 40 "$scratch/$target.log" >&2
        failed+=("$target")
    else
        grep -E "^stat::(number_of_executed_units|new_units_added)" "$scratch/$target.log" || true
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz targets that failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
