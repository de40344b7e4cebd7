#!/usr/bin/env bash
# Tunnel benchmark in the namespace lab (scripts/tunnel-lab.sh; every address in 198.18.0.0/15, nothing leaves the
# host). Same topology, same run, for:
#   direct   the server namespace talking to the target (no tunnel; the veth ceiling)
#   burrow   ./burrow tunnel --method nft (transparent capture over one SSH connection, MINA SSHD)
#   sshuttle Debian's sshuttle --method nft
#   ssh      OpenSSH: ssh -N -L for iperf3, ssh -N -D (SOCKS5) for the connection tests
# Measures: single- and 8-stream throughput (iperf3 in the target namespace, client to target), the time for 200
# sequential new connections (HTTP GET each), 500 concurrent connections (failures counted, 30 s each), the same
# 200 again after 1,000 more (the steady state of a long-running tunnel), and the
# tunnel client's CPU time (utime+stime of its process tree, /proc/PID/stat) per MB moved by iperf3.
# Usage: bench/tunnel-bench.sh [TOOL...]   (default: direct burrow sshuttle ssh); SECONDS_PER_RUN=5 by default.
# Needs root, iperf3, sshd, dnsmasq, nft, curl, python3; sshuttle for its row.
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
lab=$root/scripts/tunnel-lab.sh
client=$root/bench/tunnel-bench-client.py
secs=${SECONDS_PER_RUN:-5}
tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(direct burrow sshuttle ssh)
[[ $(id -u) == 0 ]] || { echo "tunnel-bench: needs root (network namespaces)" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "tunnel-bench: needs iperf3" >&2; exit 1; }

dir=$(mktemp -d /tmp/btl-bench-XXXXXX)
tunnel_pid=""
cleanup() {
    if [[ -n $tunnel_pid ]] && kill -0 "$tunnel_pid" 2>/dev/null; then
        kill -TERM "$tunnel_pid" 2>/dev/null || true
        wait "$tunnel_pid" 2>/dev/null || true
    fi
    "$lab" down "$dir/lab" || true
    rm -rf "$dir"
}
trap cleanup EXIT
"$lab" sweep
"$lab" up "$dir/lab" "btl-$$" >/dev/null
# shellcheck disable=SC1091
source "$dir/lab/lab.env"
in_c() { "$lab" exec "$dir/lab" c "$@"; }
# Started directly (not through a function, which would fork a subshell) so that $! is the tunnel process itself:
# tunnel-lab.sh execs into it. Killing a subshell instead would leave the tunnel running into the next row.
start_c() { "$lab" exec "$dir/lab" c "$@" & tunnel_pid=$!; }
in_s() { "$lab" exec "$dir/lab" s "$@"; }
"$lab" exec "$dir/lab" t iperf3 -s -B 198.18.2.2 -p 5201 >"$dir/iperf3-server.log" 2>&1 &
iperf_server=$!
ssh_opts=(-i "$LAB_KEY" -o "UserKnownHostsFile=$LAB_KNOWN_HOSTS" -o BatchMode=yes -o StrictHostKeyChecking=yes)

# CPU ticks of a process and all its descendants.
tree_ticks() {
    local pid=$1 total=0 p stat
    local pids=("$pid")
    local i=0
    while [[ $i -lt ${#pids[@]} ]]; do
        for p in $(ps -o pid= --ppid "${pids[$i]}" 2>/dev/null || true); do pids+=("$p"); done
        i=$((i + 1))
    done
    for p in "${pids[@]}"; do
        stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        stat=${stat##*) }  # fields after the command name; utime and stime are then fields 12 and 13
        read -r -a f <<<"$stat"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

wait_ready() { # run-in-ns-function host port [socks]
    local i
    for i in $(seq 150); do
        if "$1" python3 "$client" seq 1 "$2" "$3" ${4:+"$4"} 2>/dev/null | grep -q "ok=1 "; then return 0; fi
        # A tool that could not start (bad option, no route) would otherwise cost 150 timed-out tries.
        if [[ -n $tunnel_pid ]] && ! kill -0 "$tunnel_pid" 2>/dev/null; then
            echo "tunnel-bench: $tool exited before answering; its log:" >&2
            cat "$dir/$tool.log" >&2 || true
            return 1
        fi
        sleep 0.2
    done
    echo "tunnel-bench: $tool never answered a real request" >&2
    return 1
}

iperf_mbps() { # run-in-ns-function host port streams -> "MB/s bytes"; retried when the server is still busy
    local json try
    for try in 1 2 3; do
        json=$("$1" iperf3 -c "$2" -p "$3" -P "$4" -t "$secs" -J || true)
        if python3 -c 'import json,sys; d=json.load(sys.stdin)["end"]["sum_received"]; print("%.0f %d" % (d["bits_per_second"]/8/1e6, d["bytes"]))' <<<"$json" 2>/dev/null; then
            return 0
        fi
        echo "tunnel-bench: iperf3 try $try failed: $(python3 -c 'import json,sys; print(json.load(sys.stdin).get("error"))' <<<"$json" 2>&1 | tail -1)" >&2
        sleep 2
    done
    return 1
}

results=()
for tool in "${tools[@]}"; do
    run=in_c host=$LAB_TARGET port=5201 http=8080 socks="" tunnel_pid=""
    case $tool in
        direct) run=in_s ;;
        burrow)
            start_c env HOME="$dir" "$root/burrow" tunnel -r "root@$LAB_SSH_HOST" -i "$LAB_KEY" \
                --known-hosts "$LAB_KNOWN_HOSTS" "$LAB_TARGET_NET" >"$dir/burrow.log" 2>&1
            ;;
        sshuttle)
            command -v sshuttle >/dev/null || { echo "tunnel-bench: sshuttle not installed, skipped" >&2; continue; }
            # --python: the remote interpreter by path, so no login-shell shim (pyenv) gets in the way.
            start_c sshuttle --method nft --python /usr/bin/python3 -e "ssh ${ssh_opts[*]}" -r "root@$LAB_SSH_HOST" \
                "$LAB_TARGET_NET" >"$dir/sshuttle.log" 2>&1
            ;;
        ssh)
            start_c ssh "${ssh_opts[@]}" -N -L "127.0.0.1:15201:$LAB_TARGET:5201" -D 127.0.0.1:11080 \
                "root@$LAB_SSH_HOST" >"$dir/ssh.log" 2>&1
            host=127.0.0.1 port=15201 socks=127.0.0.1:11080
            ;;
        *) echo "tunnel-bench: unknown tool $tool" >&2; exit 2 ;;
    esac
    # Readiness is proven with a real request through the tunnel (sshuttle says "connected" before its rules).
    wait_ready "$run" "$LAB_TARGET" "$http" "$socks"
    # Warm-up, not measured (JIT for Burrow, caches for all).
    "$run" iperf3 -c "$host" -p "$port" -t 2 >/dev/null
    [[ -n $tunnel_pid ]] && t0=$(tree_ticks "$tunnel_pid") || t0=0
    # A run that fails three times is reported as such; the connection tests still run.
    read -r one one_bytes < <(iperf_mbps "$run" "$host" "$port" 1) || { one=failed; one_bytes=0; }
    read -r eight eight_bytes < <(iperf_mbps "$run" "$host" "$port" 8) || { eight=failed; eight_bytes=0; }
    [[ -n $tunnel_pid ]] && t1=$(tree_ticks "$tunnel_pid") || t1=0
    seq200=$("$run" python3 "$client" seq 200 "$LAB_TARGET" "$http" ${socks:+"$socks"})
    conc500=$("$run" python3 "$client" conc 500 "$LAB_TARGET" "$http" ${socks:+"$socks"})
    # The same 200 again after 1,000 more (unmeasured): a long-running tunnel's steady state, once the JIT has
    # compiled the per-connection code (the first 200 above measure its warm-up too).
    "$run" python3 "$client" seq 1000 "$LAB_TARGET" "$http" ${socks:+"$socks"} >/dev/null
    warm200=$("$run" python3 "$client" seq 200 "$LAB_TARGET" "$http" ${socks:+"$socks"})
    cpu="-"
    if [[ -n $tunnel_pid ]]; then
        hz=$(getconf CLK_TCK)
        if ((one_bytes + eight_bytes > 0)); then
            cpu=$(python3 -c "print('%.2f' % ((($t1-$t0)/$hz*1000) / (($one_bytes+$eight_bytes)/1e6)))")
        fi
        kill -TERM "$tunnel_pid" 2>/dev/null || true
        wait "$tunnel_pid" 2>/dev/null || true
        tunnel_pid=""
    fi
    seq_s=$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$seq200")
    seq_fail=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$seq200")
    warm_s=$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$warm200")
    conc_fail=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$conc500")
    conc_s=$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$conc500")
    results+=("$(printf '| %-8s | %9s | %9s | %8s s (%s failed) | %8s s | %4s failed (%s s) | %10s |' \
        "$tool" "$one" "$eight" "$seq_s" "$seq_fail" "$warm_s" "$conc_fail" "$conc_s" "$cpu")")
    echo "tunnel-bench: $tool done" >&2
done
kill -TERM "$iperf_server" 2>/dev/null || true

echo
echo "Tunnel benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, iperf3 ${secs} s per run"
echo "| tool     | 1-stream MB/s | 8-stream MB/s | 200 sequential new connections | the same after 1,000 more | 500 concurrent | client CPU ms/MB |"
echo "| -------- | --------- | --------- | ------------------- | ---------- | ------------------ | ---------- |"
printf '%s\n' "${results[@]}"
