package dev.burrow.app.cli;

import dev.burrow.core.tunnel.TunnelMetrics;

/** The one-line tunnel status the CLI shows on a terminal and prints as its summary. */
final class TunnelStatus {
    private TunnelStatus() { }

    static String line(TunnelMetrics m) {
        return m.state().name().toLowerCase(java.util.Locale.ROOT)
                + "  up " + HumanUnits.bytes(m.bytesUp()) + " (" + HumanUnits.bytes(m.bytesUpPerSecond()) + "/s)"
                + "  down " + HumanUnits.bytes(m.bytesDown()) + " (" + HumanUnits.bytes(m.bytesDownPerSecond())
                + "/s)  " + m.openConnections() + " open, " + m.totalConnections() + " total, " + m.failedDials()
                + " failed, " + m.reconnects() + (m.reconnects() == 1 ? " reconnect" : " reconnects");
    }
}
