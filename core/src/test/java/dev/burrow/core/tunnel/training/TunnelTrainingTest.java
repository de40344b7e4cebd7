package dev.burrow.core.tunnel.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training workload is real tunnel traffic: it must pass every connection's check, or the launcher's cache fails. */
class TunnelTrainingTest {
    @TempDir
    Path dir;

    @Test
    void runsItsConnectionsAndBulkTransferThroughARealTunnel() throws Exception {
        TunnelTraining.Result result = TunnelTraining.run(40, 3L << 20, dir);
        assertEquals(40, result.connections());
        assertEquals(3L << 20, result.bulkBytesEachWay());
    }
}
