#!/usr/bin/env bash
# Data in and out at N = 100,000 and 1,000,000 books (SPEC §7 rows: title, author_id,
# year; 10% of the years null), each command timed whole with /usr/bin/time (wall
# seconds and peak RSS, the median of RUNS runs), ours next to the yardstick:
#
#   1. `bazoola DIR ".import books.csv books"` vs `sqlite3 db ".import --csv --skip 1 …"`,
#      both into an existing schema whose authors are already in;
#   2. `bazoola DIR .dump` vs `sqlite3 db .dump` (to /dev/null);
#   3. `bazoola migrate DIR postgresql:///…` vs `psql -1 -f` of what `pg_dump` writes for
#      the database migrate made (the same tables, COPY data, constraints and indexes).
#      PostgreSQL is a throwaway server of this script's own (initdb in a temporary
#      directory, a Unix socket there only, fsync off), run as `postgres` under root.
#
#   bench/transfer.sh                  # both sizes, 3 runs each
#   SIZES=100000 RUNS=1 bench/transfer.sh
#
# The data files and databases live in $DATA (default: a temporary directory, removed at
# the end; set DATA to keep them between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${SIZES:-100000 1000000}"
RUNS="${RUNS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if [ -z "${BAZOOLA:-}" ]; then # or a binary of your own: BAZOOLA=path/to/bazoola
    cargo build --release -q -p bazoola-cli
    BAZOOLA="$CARGO_TARGET_DIR/release/bazoola"
fi
OWN_DATA=
if [ -z "${DATA:-}" ]; then
    DATA="$(mktemp -d)"
    OWN_DATA=1
fi
cleanup() {
    pg_stop
    if [ -n "$OWN_DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
mkdir -p "$DATA"
chmod 755 "$DATA"

gen() { # N: $DATA/authors_N.csv (id,name) and $DATA/books_N.csv (title,author_id,year)
    [ -s "$DATA/books_$1.csv" ] && return
    python3 - "$1" "$DATA" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
M = (1 << 64) - 1
s = ((42 * 0x9E3779B97F4A7C15) & M) | 1  # the bench harness's Rng::new(42)
def below(k):
    global s
    s ^= s >> 12; s ^= (s << 25) & M; s ^= s >> 27
    return ((s * 0x2545F4914F6CDD1D) & M) % k
with open(f"{d}/authors_{n}.csv", "w") as f:
    f.write("id,name\n")
    f.writelines(f"{i + 1},Author {i}\n" for i in range(n))
with open(f"{d}/books_{n}.csv", "w") as f:
    f.write("title,author_id,year\n")
    for i in range(n):
        a = 1 + below(n)
        y = "" if below(10) == 0 else 1900 + below(120)
        f.write(f"Book {i} of Tales,{a},{y}\n")
PY
}

# The same schema in both. SQLite's books has its id as the rowid (what `id INTEGER
# PRIMARY KEY` aliases): sqlite3's .import fills columns by position, and the CSV has no
# id. An index on books.author_id in SQLite, as ours has on its FK.
BAZOOLA_SCHEMA="CREATE TABLE authors (id INTEGER PRIMARY KEY, name CHAR(20) NOT NULL);
CREATE TABLE books (id INTEGER PRIMARY KEY, title CHAR(20) NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors(id), year INTEGER);"
SQLITE_SCHEMA="CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE books (title TEXT NOT NULL, author_id INTEGER NOT NULL REFERENCES authors(id), year INTEGER);
CREATE INDEX books_author ON books(author_id);"

base() { # N: $DATA/base_N (bazoola) and $DATA/base_N.db (sqlite), schema and authors only
    local n=$1
    if [ ! -d "$DATA/base_$n" ]; then
        "$BAZOOLA" "$DATA/base_$n" "$BAZOOLA_SCHEMA" ".import $DATA/authors_$n.csv authors"
    fi
    if [ ! -f "$DATA/base_$n.db" ]; then
        sqlite3 "$DATA/base_$n.db" "$SQLITE_SCHEMA" ".import --csv --skip 1 $DATA/authors_$n.csv authors"
    fi
}

# measure SETUP CMD: runs SETUP (untimed) then CMD (timed) RUNS times; prints
# "median_wall median_peak_MiB".
measure() {
    local setup=$1 cmd=$2 i
    : >"$DATA/times"
    for ((i = 0; i < RUNS; i++)); do
        eval "$setup"
        /usr/bin/time -f "%e %M" -o "$DATA/time1" sh -c "$cmd" >/dev/null 2>"$DATA/stderr" || {
            cat "$DATA/stderr" >&2
            exit 1
        }
        cat "$DATA/time1" >>"$DATA/times"
    done
    local mid=$(((RUNS + 1) / 2))
    echo "$(sort -n -k1,1 "$DATA/times" | sed -n "${mid}p" | cut -d' ' -f1)" \
        "$(sort -n -k2,2 "$DATA/times" | sed -n "${mid}p" | awk '{ printf "%.1f", $2 / 1024 }')"
}

row() { # label ours theirs: a Markdown row, rates as theirs/ours wall time
    local label=$1 ours=($2) theirs=($3)
    awk -v l="$label" -v a="${ours[0]}" -v b="${theirs[0]}" -v ma="${ours[1]}" -v mb="${theirs[1]}" \
        'BEGIN { printf "| %s | %.4g | %.4g | %.2f× | %.1f | %.1f |\n", l, a, b, b / a, ma, mb }'
}

pg_start() {
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    PG_DIR="$(mktemp -d)"
    chmod 755 "$PG_DIR"
    AS=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PG_DIR"
        AS=(runuser -u postgres --)
    fi
    "${AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C -N >/dev/null
    "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o \
        "-c listen_addresses='' -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null
}
pg_stop() {
    [ -n "${PG_DIR:-}" ] || return 0
    "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null || true
    rm -rf "$PG_DIR"
    PG_DIR=
}
export PGOPTIONS="-c client_min_messages=warning"
psql_() { psql -h "$PG_DIR" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }

# bench/shell.sh sources this file for the functions above.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

pg_start

for n in $SIZES; do
    gen "$n"
    base "$n"
    B="$DATA/b_$n" S="$DATA/s_$n.db"
    echo
    echo "N = $n books (and $n authors, in before the import); wall seconds and peak RSS (MiB),"
    echo "median of $RUNS runs; ratio = theirs / ours (≥ 1× means ours is at least as fast)"
    echo
    echo "| command | bazoola s | yardstick s | ratio | bazoola MiB | yardstick MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    ours=$(measure "rm -rf $B; cp -r $DATA/base_$n $B" "$BAZOOLA $B '.import $DATA/books_$n.csv books'")
    theirs=$(measure "rm -f $S; cp $DATA/base_$n.db $S" \
        "sqlite3 $S '.import --csv --skip 1 $DATA/books_$n.csv books'")
    row ".import books.csv books vs sqlite3 .import" "$ours" "$theirs"
    ours=$(measure ":" "$BAZOOLA $B .dump >/dev/null")
    theirs=$(measure ":" "sqlite3 $S .dump >/dev/null")
    row ".dump vs sqlite3 .dump" "$ours" "$theirs"
    # migrate, then pg_dump what it made: the file psql loads.
    psql_ -d postgres -c "DROP DATABASE IF EXISTS m" -c "CREATE DATABASE m"
    "$BAZOOLA" migrate "$B" "postgresql:///m?host=$PG_DIR&user=postgres" >/dev/null
    "${AS[@]}" "$PG_BIN/pg_dump" -h "$PG_DIR" -U postgres --no-owner -f "$PG_DIR/copy.sql" m
    ours=$(measure "psql_ -d postgres -c 'DROP DATABASE IF EXISTS m' -c 'CREATE DATABASE m'" \
        "$BAZOOLA migrate $B 'postgresql:///m?host=$PG_DIR&user=postgres'")
    theirs=$(measure "psql_ -d postgres -c 'DROP DATABASE IF EXISTS p' -c 'CREATE DATABASE p'" \
        "psql -h $PG_DIR -U postgres -X -q -v ON_ERROR_STOP=1 -1 -d p -f $PG_DIR/copy.sql")
    row "migrate DIR postgresql:///m vs psql -1 -f (pg_dump COPY file)" "$ours" "$theirs"
    psql_ -d m -tA -c "SELECT 'rows in PostgreSQL after migrate: ' || (SELECT count(*) FROM books) || ' books, ' || (SELECT count(*) FROM authors) || ' authors'"
    ls -l "$PG_DIR/copy.sql" | awk '{ printf "COPY file: %.1f MB\n", $5 / 1e6 }'
done
pg_stop
