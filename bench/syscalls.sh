#!/usr/bin/env bash
# System calls (strace -c) and CPU instructions (valgrind --tool=callgrind) per point
# operation, Bazoola and SQLite side by side: each operation runs COUNT times after the
# same setup, and the setup alone is subtracted. Counts, not times: they do not drift on
# a noisy machine.
#
#   bench/syscalls.sh            # N = 20,000 rows, 1,000 calls per operation
#   N=100000 COUNT=2000 bench/syscalls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-20000}"
COUNT="${COUNT:-1000}"
cargo build --release -q -p bazoola-bench
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/bazoola-bench"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

syscalls() { # engine op count -> total syscalls
    strace -f -c -o "$WORK/strace.out" "$BIN" "$N" ops "$1" "$2" "$3" >/dev/null
    awk '/total$/ { print $(NF-2) }' "$WORK/strace.out"
}
instructions() { # engine op count -> total instructions
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$BIN" "$N" ops "$1" "$2" "$3" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$WORK/cg.out"
}

echo "N = $N; per operation, averaged over $COUNT calls (setup subtracted)"
echo
echo "| operation | bazoola syscalls | sqlite syscalls | bazoola instructions | sqlite instructions |"
echo "|---|---:|---:|---:|---:|"
for op in insert update delete reinsert find_by_id find_by_id_join inverse_join; do
    row="| $op |"
    for measure in syscalls instructions; do
        for engine in bazoola sqlite; do
            base=$($measure $engine $op 0)
            full=$($measure $engine $op "$COUNT")
            row="$row $(awk -v a="$full" -v b="$base" -v c="$COUNT" 'BEGIN { printf "%.1f", (a - b) / c }') |"
        done
    done
    echo "$row"
done
