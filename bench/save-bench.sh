#!/usr/bin/env bash
# End-to-end save benchmark: saves one generated data set with Burrow and with bup in the same run and
# prints, for each, the wall time, MB/s and peak RSS (from GNU time). JVM start-up is included for Burrow,
# as a user would see it.
#
#   bench/save-bench.sh [SIZE_MIB]        (default 256; work files under $BENCH_DIR, default /tmp/burrow-bench)
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
size=${1:-256}
work=${BENCH_DIR:-/tmp/burrow-bench}
export LC_ALL=C.UTF-8

for tool in bup python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "save-bench: needs $tool (apt-get install bup python3 time)" >&2; exit 1; }
done

rm -rf "$work"
mkdir -p "$work"
python3 "$root/bench/gen-data.py" "$work/data" "$size"
bytes=$(du -sb "$work/data" | cut -f1)
files=$(find "$work/data" | wc -l)
sync

"$root/burrow" --version >/dev/null   # build outside the timed runs

measure() {   # measure LABEL COMMAND...: runs it, appends "seconds peak_kib" to $work/LABEL.times
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/$label.time" "$@" >/dev/null 2>"$work/$label.err" || {
        echo "save-bench: $label failed:" >&2
        cat "$work/$label.err" >&2
        exit 1
    }
    cat "$work/$label.time" >>"$work/$label.times"
}

report() {   # report NAME LABEL...: sums the seconds of the labelled steps, takes the largest RSS
    local name=$1
    shift
    local secs=0 rss=0 s r
    for label in "$@"; do
        while read -r s r; do
            secs=$(echo "$secs + $s" | bc -l)
            ((r > rss)) && rss=$r
        done <"$work/$label.times"
    done
    printf '%-22s %8.2f s %9.1f MB/s %8.1f MiB peak RSS\n' "$name" "$secs" \
        "$(echo "$bytes / 1000000 / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

"$root/burrow" -d "$work/repo-burrow" init >/dev/null
measure burrow "$root/burrow" -d "$work/repo-burrow" save -n bench "$work/data"

bup -d "$work/repo-bup" init >/dev/null 2>&1
measure bup-index bup -d "$work/repo-bup" index "$work/data"
measure bup-save bup -d "$work/repo-bup" save -n bench "$work/data"

echo "data set: $((bytes / 1048576)) MiB in $files files and directories ($(nproc) cores)"
report "burrow save" burrow
report "bup index + save" bup-index bup-save
printf 'repository size: burrow %s MiB, bup %s MiB\n' \
    "$(($(du -sk "$work/repo-burrow" | cut -f1) / 1024))" "$(($(du -sk "$work/repo-bup" | cut -f1) / 1024))"
