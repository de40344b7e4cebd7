package dev.burrow.core.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsPublisherTest {
    @Test
    void publishesSnapshotsWithRatesToListeners() throws InterruptedException {
        TunnelCounters counters = new TunnelCounters();
        counters.state(SessionState.UP);
        BlockingQueue<TunnelMetrics> seen = new LinkedBlockingQueue<>();
        try (MetricsPublisher publisher = new MetricsPublisher(counters, Duration.ofMillis(50))) {
            publisher.addListener(m -> {
                throw new IllegalStateException("a broken listener must not stop the others");
            });
            publisher.addListener(seen::add);
            TunnelMetrics first = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(first);
            counters.connectionOpened();
            counters.addBytesUp(1000);
            counters.addBytesDown(5000);
            counters.dialFailed();
            counters.reconnected();
            TunnelMetrics later;
            do {
                later = seen.poll(10, TimeUnit.SECONDS);
                assertNotNull(later);
            } while (later.bytesDown() == 0);
            assertEquals(List.of(SessionState.UP, 1000L, 5000L, 1, 1L, 1L, 1L), List.of(later.state(),
                    later.bytesUp(), later.bytesDown(), later.openConnections(), later.totalConnections(),
                    later.failedDials(), later.reconnects()));
            assertTrue(later.bytesDownPerSecond() > 0, later.toString());
        }
    }
}
