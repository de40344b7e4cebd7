package dev.burrow.core.tunnel;

import java.time.Instant;
import java.util.Objects;

/**
 * One snapshot of a tunnel's counters, as published every second to metrics listeners. Counts are totals since the
 * tunnel started; rates are over the interval since the previous snapshot.
 *
 * @param time               when the snapshot was taken
 * @param state              the transport session's state
 * @param bytesUp            bytes sent from local clients into the tunnel
 * @param bytesDown          bytes received from the tunnel and written to local clients
 * @param bytesUpPerSecond   upload rate over the last interval
 * @param bytesDownPerSecond download rate over the last interval
 * @param openConnections    connections being relayed right now
 * @param totalConnections   connections accepted and dialled successfully since start
 * @param failedDials        dials that failed (refused by the server, tunnel down, timeout)
 * @param reconnects         sessions re-established after a loss
 */
public record TunnelMetrics(Instant time, SessionState state, long bytesUp, long bytesDown, long bytesUpPerSecond,
                            long bytesDownPerSecond, int openConnections, long totalConnections, long failedDials,
                            long reconnects) {
    public TunnelMetrics {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(state, "state");
    }
}
