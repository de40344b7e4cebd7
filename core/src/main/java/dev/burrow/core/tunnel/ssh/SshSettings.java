package dev.burrow.core.tunnel.ssh;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the SSH transport; {@link #defaults()} holds the values chosen for a tunnel (see docs/tunnel.md).
 *
 * @param windowSize      SSH channel window, bytes: how much one channel may have in flight each way
 * @param packetSize      largest SSH data packet, bytes
 * @param heartbeat       interval of {@code keepalive@} requests
 * @param heartbeatMisses unanswered heartbeats after which the session is considered dead
 * @param connectTimeout  TCP connect plus key exchange
 * @param authTimeout     user authentication
 * @param dialWait        how long a dial waits for a session while reconnecting
 * @param openTimeout     how long a dial waits for the server to confirm a channel
 * @param writeStall      how long a write may wait for the peer's window before the connection fails
 * @param backoffCap      the longest pause between reconnection attempts
 * @param requestPty      open an idle shell with a pty, which makes OpenSSH's sshd set TCP_NODELAY on the
 *                        connection and saves a delayed-ACK round (~40 ms) on every new channel
 */
public record SshSettings(long windowSize, int packetSize, Duration heartbeat, int heartbeatMisses,
                          Duration connectTimeout, Duration authTimeout, Duration dialWait, Duration openTimeout,
                          Duration writeStall, Duration backoffCap, boolean requestPty) {
    public SshSettings {
        if (windowSize < 32 * 1024) {
            throw new IllegalArgumentException("window size below 32 KiB: " + windowSize);
        }
        if (packetSize < 1024 || packetSize > windowSize) {
            throw new IllegalArgumentException("packet size out of range: " + packetSize);
        }
        if (heartbeatMisses < 1) {
            throw new IllegalArgumentException("heartbeat misses must be positive: " + heartbeatMisses);
        }
        for (Duration d : new Duration[] {heartbeat, connectTimeout, authTimeout, dialWait, openTimeout, writeStall,
                backoffCap}) {
            Objects.requireNonNull(d, "duration");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
    }

    public static SshSettings defaults() {
        return new SshSettings(8L * 1024 * 1024, 32 * 1024, Duration.ofSeconds(15), 4, Duration.ofSeconds(15),
                Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(10),
                Duration.ofSeconds(30), true);
    }

    public SshSettings withWindowSize(long bytes) {
        return new SshSettings(bytes, Math.min(packetSize, (int) Math.min(Integer.MAX_VALUE, bytes)), heartbeat,
                heartbeatMisses, connectTimeout, authTimeout, dialWait, openTimeout, writeStall, backoffCap,
                requestPty);
    }

    public SshSettings withDialWait(Duration wait) {
        return new SshSettings(windowSize, packetSize, heartbeat, heartbeatMisses, connectTimeout, authTimeout, wait,
                openTimeout, writeStall, backoffCap, requestPty);
    }

    public SshSettings withBackoffCap(Duration cap) {
        return new SshSettings(windowSize, packetSize, heartbeat, heartbeatMisses, connectTimeout, authTimeout,
                dialWait, openTimeout, writeStall, cap, requestPty);
    }

    public SshSettings withHeartbeat(Duration interval, int misses) {
        return new SshSettings(windowSize, packetSize, interval, misses, connectTimeout, authTimeout, dialWait,
                openTimeout, writeStall, backoffCap, requestPty);
    }

    public SshSettings withWriteStall(Duration stall) {
        return new SshSettings(windowSize, packetSize, heartbeat, heartbeatMisses, connectTimeout, authTimeout,
                dialWait, openTimeout, stall, backoffCap, requestPty);
    }
}
