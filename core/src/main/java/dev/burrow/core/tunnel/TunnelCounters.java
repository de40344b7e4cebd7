package dev.burrow.core.tunnel;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters of one tunnel, written by the relays and the transport and read by {@link MetricsPublisher}.
 * Thread safe and lock free: every update is one atomic add.
 */
public final class TunnelCounters {
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder failedDials = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final AtomicReference<SessionState> state = new AtomicReference<>(SessionState.CONNECTING);

    public void addBytesUp(long n) {
        bytesUp.add(n);
    }

    public void addBytesDown(long n) {
        bytesDown.add(n);
    }

    /** A relayed connection starts; pair with {@link #connectionClosed()}. */
    public void connectionOpened() {
        openConnections.incrementAndGet();
        totalConnections.increment();
    }

    public void connectionClosed() {
        openConnections.decrementAndGet();
    }

    public void dialFailed() {
        failedDials.increment();
    }

    public void reconnected() {
        reconnects.increment();
    }

    public void state(SessionState newState) {
        state.set(newState);
    }

    public SessionState state() {
        return state.get();
    }

    /** A snapshot with the given rates; {@link MetricsPublisher} computes them from two snapshots. */
    TunnelMetrics snapshot(Instant time, long upRate, long downRate) {
        return new TunnelMetrics(time, state.get(), bytesUp.sum(), bytesDown.sum(), upRate, downRate,
                openConnections.get(), totalConnections.sum(), failedDials.sum(), reconnects.sum());
    }

    /** A snapshot without rates, for tests and final summaries. */
    public TunnelMetrics snapshot() {
        return snapshot(Instant.now(), 0, 0);
    }
}
