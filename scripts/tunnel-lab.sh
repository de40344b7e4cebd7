#!/usr/bin/env bash
# The tunnel lab of docs spec section 7: three network namespaces on this machine, every address in 198.18.0.0/15
# and 2001:2::/48 (benchmarking ranges), so nothing leaves the host.
#
#   <p>-c (client)              <p>-s (SSH server)                     <p>-t (target)
#   c0 198.18.1.2/24 ──veth── s0 198.18.1.1/24   s1 198.18.2.1/24 ──veth── t0 198.18.2.2/24
#   default via 198.18.1.1      no forwarding: the target is           HTTP :8080, echo :7007,
#   resolver 198.18.3.53        unreachable from the client            dnsmasq :53 (secret.lab)
#   (exists nowhere)            sshd :22 (forwarding yes), :2222 (no)  iperf3 on demand
#
# Usage:
#   tunnel-lab.sh up DIR [PREFIX]   build the lab; DIR (new or empty) gets keys, configs, logs and lab.env
#   tunnel-lab.sh down DIR          stop the lab's processes and delete its namespaces (also after a failed up)
#   tunnel-lab.sh exec DIR c|s|t CMD...   run CMD in a namespace, with that namespace's resolv.conf
#   tunnel-lab.sh sshd-restart DIR  restart the forwarding sshd (same keys, same port)
#   tunnel-lab.sh sweep             delete labs (namespaces btl-<pid>-*) whose creating process is gone
# PREFIX defaults to btl-<pid of the caller>; labs are swept by that pid. Needs root, ip, sshd, dnsmasq, python3.
set -euo pipefail

die() { echo "tunnel-lab: $*" >&2; exit 1; }
sshd_bin=$(command -v sshd || echo /usr/sbin/sshd)
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)

load() {
    [[ -f $1/lab.env ]] || die "no lab in $1 (lab.env missing)"
    # shellcheck disable=SC1091
    source "$1/lab.env"
}

# Runs a command in namespace $1 with $LAB_DIR/$1.resolv.conf bound over /etc/resolv.conf. `ip netns exec`
# gives the command its own mount namespace (made a slave of the host's), so the bind stays inside it and
# /etc is never written.
in_ns() {
    local ns=$1; shift
    local conf=$LAB_DIR/${ns##*-}.resolv.conf
    ip netns exec "$ns" /bin/sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$conf" "$@"
}

# Like in_ns, but replaces this shell: the caller's child process is then the command itself (signals reach it).
exec_in_ns() {
    local ns=$1; shift
    local conf=$LAB_DIR/${ns##*-}.resolv.conf
    exec ip netns exec "$ns" /bin/sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$conf" "$@"
}

kill_ns_processes() {
    local ns=$1 pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n $pids ]] || return 0
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 50); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [[ -z $pids ]] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
}

delete_lab_namespaces() {
    local prefix=$1 ns
    for ns in "$prefix-c" "$prefix-s" "$prefix-t"; do
        if ip netns list | awk '{print $1}' | grep -qx -- "$ns"; then
            kill_ns_processes "$ns"
            ip netns del "$ns"
        fi
    done
}

start_sshd() {
    # sshd wants /run/sshd (privilege separation); a tmpfs /run private to this mount namespace gives it one.
    # Debian's bash reads ~/.bashrc even for `ssh host command`; a login's shell setup (pyenv's rehash lock, say)
    # must not make the lab's sessions slow or hang, so the sessions see empty rc files (again only in this mount
    # namespace: the files themselves are untouched).
    in_ns "$LAB_S" /bin/sh -c 'mount -t tmpfs -o mode=755 burrow-lab-run /run && mkdir -p /run/sshd &&
        for f in "$HOME/.bashrc" "$HOME/.profile" "$HOME/.bash_profile" "$HOME/.bash_login"; do
            if [ -f "$f" ]; then mount --bind /dev/null "$f"; fi
        done && exec "$@"' sshd "$sshd_bin" -D -e -f "$LAB_DIR/$1" >>"$LAB_DIR/$2.log" 2>&1 &
    echo $! >"$LAB_DIR/$2.pid"
}

wait_port() { # ns host port
    for _ in $(seq 100); do
        if ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "nothing listens on $2:$3 in $1 (see the logs in $LAB_DIR)"
}

up() {
    local dir=$1 prefix=${2:-btl-$PPID}
    [[ $(id -u) == 0 ]] || die "needs root (network namespaces)"
    for tool in ip "$sshd_bin" dnsmasq python3 ssh-keygen; do
        command -v "$tool" >/dev/null || die "$tool not found: install iproute2, openssh-server, dnsmasq, python3"
    done
    [[ $prefix =~ ^[a-z0-9-]{1,11}$ ]] || die "prefix must be 1-11 of [a-z0-9-]: $prefix"
    mkdir -p "$dir"
    LAB_DIR=$(cd "$dir" && pwd)
    LAB_C=$prefix-c LAB_S=$prefix-s LAB_T=$prefix-t
    cat >"$LAB_DIR/lab.env" <<ENV
LAB_DIR=$LAB_DIR
LAB_PREFIX=$prefix
LAB_C=$LAB_C
LAB_S=$LAB_S
LAB_T=$LAB_T
LAB_SSH_HOST=198.18.1.1
LAB_SSH_HOST6=2001:2:0:1::1
LAB_SSH_PORT=22
LAB_SSH_NOFWD_PORT=2222
LAB_KEY=$LAB_DIR/clientkey
LAB_KNOWN_HOSTS=$LAB_DIR/known_hosts
LAB_KNOWN_HOSTS_WRONG=$LAB_DIR/known_hosts.wrong
LAB_TARGET=198.18.2.2
LAB_TARGET6=2001:2:0:2::2
LAB_TARGET_NET=198.18.2.0/24
LAB_TARGET_NET6=2001:2:0:2::/64
LAB_HTTP_PORT=8080
LAB_ECHO_PORT=7007
LAB_REMOTE_RESOLVER=198.18.2.2
LAB_CLIENT_RESOLVER=198.18.3.53
LAB_SECRET_NAME=secret.lab
LAB_HTTP_BODY=burrow-lab-target
ENV
    # From here on a failure tears down what exists.
    trap 'delete_lab_namespaces "$prefix"' ERR

    local ns
    for ns in "$LAB_C" "$LAB_S" "$LAB_T"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    ip link add c0 netns "$LAB_C" type veth peer name s0 netns "$LAB_S"
    ip link add s1 netns "$LAB_S" type veth peer name t0 netns "$LAB_T"
    ip -n "$LAB_C" addr add 198.18.1.2/24 dev c0
    ip -n "$LAB_S" addr add 198.18.1.1/24 dev s0
    ip -n "$LAB_S" addr add 198.18.2.1/24 dev s1
    ip -n "$LAB_T" addr add 198.18.2.2/24 dev t0
    ip -n "$LAB_C" addr add 2001:2:0:1::2/64 dev c0 nodad
    ip -n "$LAB_S" addr add 2001:2:0:1::1/64 dev s0 nodad
    ip -n "$LAB_S" addr add 2001:2:0:2::1/64 dev s1 nodad
    ip -n "$LAB_T" addr add 2001:2:0:2::2/64 dev t0 nodad
    ip -n "$LAB_C" link set c0 up
    ip -n "$LAB_S" link set s0 up
    ip -n "$LAB_S" link set s1 up
    ip -n "$LAB_T" link set t0 up
    # Capture needs a route for the SYN to leave at all, as on a real laptop; the target needs one back to s.
    ip -n "$LAB_C" route add default via 198.18.1.1
    ip -n "$LAB_C" -6 route add default via 2001:2:0:1::1
    ip -n "$LAB_T" route add default via 198.18.2.1
    ip -n "$LAB_T" -6 route add default via 2001:2:0:2::1
    ip netns exec "$LAB_S" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0

    echo "nameserver 198.18.3.53" >"$LAB_DIR/c.resolv.conf"   # a resolver that exists nowhere
    echo "nameserver 198.18.2.2" >"$LAB_DIR/s.resolv.conf"    # the remote site's resolver
    echo "nameserver 198.18.2.2" >"$LAB_DIR/t.resolv.conf"

    ssh-keygen -q -t ed25519 -N '' -C burrow-lab-host -f "$LAB_DIR/hostkey"
    ssh-keygen -q -t ed25519 -N '' -C burrow-lab-other -f "$LAB_DIR/otherkey"
    ssh-keygen -q -t ed25519 -N '' -C burrow-lab-client -f "$LAB_DIR/clientkey"
    cp "$LAB_DIR/clientkey.pub" "$LAB_DIR/authorized_keys"
    local hostpub otherpub
    hostpub=$(cut -d' ' -f1,2 "$LAB_DIR/hostkey.pub")
    otherpub=$(cut -d' ' -f1,2 "$LAB_DIR/otherkey.pub")
    printf '%s\n' "198.18.1.1 $hostpub" "[198.18.1.1]:2222 $hostpub" "2001:2:0:1::1 $hostpub" >"$LAB_DIR/known_hosts"
    printf '%s\n' "198.18.1.1 $otherpub" "[198.18.1.1]:2222 $otherpub" >"$LAB_DIR/known_hosts.wrong"

    local port fwd
    for port in 22 2222; do
        fwd=yes; [[ $port == 2222 ]] && fwd=no
        cat >"$LAB_DIR/sshd_$port.conf" <<CONF
Port $port
ListenAddress 198.18.1.1
ListenAddress 2001:2:0:1::1
HostKey $LAB_DIR/hostkey
PidFile none
AuthorizedKeysFile $LAB_DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding $fwd
UsePAM no
StrictModes no
MaxStartups 200
MaxSessions 100
LogLevel VERBOSE
CONF
    done
    start_sshd sshd_22.conf sshd
    start_sshd sshd_2222.conf sshd_nofwd

    # --keep-in-foreground, not --no-daemon: in debug mode dnsmasq serves TCP in its main process, one connection
    # at a time, so one kept-open DNS-over-TCP connection (as the forwarder keeps) would block every other.
    in_ns "$LAB_T" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=198.18.2.2 \
        --except-interface=lo --address=/secret.lab/198.18.2.2 --pid-file="$LAB_DIR/dnsmasq.pidfile" \
        --log-facility="$LAB_DIR/dnsmasq.log" >>"$LAB_DIR/dnsmasq.log" 2>&1 &
    echo $! >"$LAB_DIR/dnsmasq.pid"
    in_ns "$LAB_T" python3 "$here/tunnel-lab-servers.py" >>"$LAB_DIR/servers.log" 2>&1 &
    echo $! >"$LAB_DIR/servers.pid"

    wait_port "$LAB_C" 198.18.1.1 22
    wait_port "$LAB_C" 198.18.1.1 2222
    wait_port "$LAB_S" 198.18.2.2 8080
    wait_port "$LAB_S" 198.18.2.2 7007
    wait_port "$LAB_S" 198.18.2.2 53
    trap - ERR
    echo "tunnel-lab: up in $LAB_DIR ($LAB_C, $LAB_S, $LAB_T)"
}

down() {
    local dir=$1
    if [[ -f $dir/lab.env ]]; then
        load "$dir"
        delete_lab_namespaces "$LAB_PREFIX"
    fi
}

sweep() {
    local ns pid prefix
    for ns in $(ip netns list | awk '{print $1}'); do
        [[ $ns =~ ^btl-([0-9]+)-[cst]$ ]] || continue
        pid=${BASH_REMATCH[1]}
        if ! kill -0 "$pid" 2>/dev/null; then
            prefix=${ns%-*}
            echo "tunnel-lab: removing stale lab $prefix (process $pid is gone)" >&2
            delete_lab_namespaces "$prefix"
        fi
    done
}

cmd=${1:-}
case $cmd in
    up) [[ $# -ge 2 ]] || die "usage: up DIR [PREFIX]"; up "$2" "${3:-}" ;;
    down) [[ $# -eq 2 ]] || die "usage: down DIR"; down "$2" ;;
    exec)
        [[ $# -ge 4 ]] || die "usage: exec DIR c|s|t CMD..."
        load "$2"
        case $3 in c) ns=$LAB_C ;; s) ns=$LAB_S ;; t) ns=$LAB_T ;; *) die "namespace must be c, s or t: $3" ;; esac
        shift 3
        exec_in_ns "$ns" "$@"
        ;;
    sshd-restart)
        load "$2"
        pid=$(cat "$LAB_DIR/sshd.pid")
        # The listener and every session it forked (children, grandchildren): a client must really reconnect.
        victims=$pid
        frontier=$pid
        while [[ -n $frontier ]]; do
            next=""
            for p in $frontier; do next+=" $(cat /proc/"$p"/task/*/children 2>/dev/null || true)"; done
            frontier=$(echo $next)
            victims+=" $frontier"
        done
        # shellcheck disable=SC2086
        kill -TERM $victims 2>/dev/null || true
        for p in $victims; do while kill -0 "$p" 2>/dev/null; do sleep 0.05; done; done
        start_sshd sshd_22.conf sshd
        wait_port "$LAB_C" 198.18.1.1 22
        ;;
    sweep) sweep ;;
    *) die "usage: up DIR [PREFIX] | down DIR | exec DIR c|s|t CMD... | sshd-restart DIR | sweep" ;;
esac
