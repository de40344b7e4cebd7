package dev.burrow.core.tunnel;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Publishes a {@link TunnelMetrics} snapshot of a tunnel's counters at a fixed period (one second by default) to
 * every listener, on one daemon thread named {@code burrow-tunnel-metrics}. Listeners must return quickly; a UI
 * hops the value onto its own thread. A listener that throws is logged and keeps receiving snapshots.
 *
 * <p>Thread safe. {@link #close()} stops publishing; it does not touch the counters.
 */
public final class MetricsPublisher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MetricsPublisher.class.getName());

    private final TunnelCounters counters;
    private final Clock clock;
    private final List<Consumer<TunnelMetrics>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private TunnelMetrics previous;

    public MetricsPublisher(TunnelCounters counters, Duration period) {
        this(counters, period, Clock.systemUTC());
    }

    MetricsPublisher(TunnelCounters counters, Duration period, Clock clock) {
        this.counters = Objects.requireNonNull(counters, "counters");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("burrow-tunnel-metrics").daemon().factory());
        timer.scheduleAtFixedRate(this::publish, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void addListener(Consumer<TunnelMetrics> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Consumer<TunnelMetrics> listener) {
        listeners.remove(listener);
    }

    /** Takes a snapshot and hands it to every listener; runs on the timer thread only. */
    private void publish() {
        Instant now = clock.instant();
        TunnelMetrics raw = counters.snapshot(now, 0, 0);
        long upRate = 0;
        long downRate = 0;
        if (previous != null) {
            long millis = Math.max(1, Duration.between(previous.time(), now).toMillis());
            upRate = (raw.bytesUp() - previous.bytesUp()) * 1000 / millis;
            downRate = (raw.bytesDown() - previous.bytesDown()) * 1000 / millis;
        }
        TunnelMetrics metrics = new TunnelMetrics(now, raw.state(), raw.bytesUp(), raw.bytesDown(), upRate, downRate,
                raw.openConnections(), raw.totalConnections(), raw.failedDials(), raw.reconnects());
        previous = metrics;
        for (Consumer<TunnelMetrics> listener : listeners) {
            try {
                listener.accept(metrics);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "metrics listener failed", e);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
