package dev.burrow.core.tunnel.capture;

import dev.burrow.core.tunnel.Dialer;
import dev.burrow.core.tunnel.dns.DnsForwarder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Linux transparent capture: the redirect listener, the optional DNS forwarder and the nftables table that sends
 * captured traffic to them, started and stopped together.
 *
 * <p>Order: stale tables of dead Burrow processes are removed, the listeners bind (so a port in use fails before
 * any rule exists), then the table is loaded. {@link #close()} removes the table first, so nothing is redirected
 * to a closed port, then closes the listeners. If this process dies the kernel removes the table (see
 * {@link NftTable}). Needs root or CAP_NET_ADMIN for the table; the JVM needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (see {@link SocketFd}).
 */
public final class TransparentCapture implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TransparentCapture.class.getName());

    /** Ports and limits of the local listeners. */
    public record Settings(int listenPort, int dnsPort, int maxConnections, DnsForwarder.Settings dns) {
        public static final Settings DEFAULTS = new Settings(0, 0, 4096, DnsForwarder.Settings.DEFAULTS);

        public Settings {
            if (listenPort < 0 || listenPort > 65535 || dnsPort < 0 || dnsPort > 65535) {
                throw new IllegalArgumentException("ports must be 0..65535: " + listenPort + ", " + dnsPort);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
            }
            Objects.requireNonNull(dns, "dns");
        }

        public Settings withListenPort(int port) {
            return new Settings(port, dnsPort, maxConnections, dns);
        }

        public Settings withDnsPort(int port) {
            return new Settings(listenPort, port, maxConnections, dns);
        }
    }

    private final RedirectListener listener;
    private final DnsForwarder dns;
    private final NftTable table;

    private TransparentCapture(RedirectListener listener, DnsForwarder dns, NftTable table) {
        this.listener = listener;
        this.dns = dns;
        this.table = table;
    }

    /**
     * Starts capturing.
     *
     * @param handler        serves each captured TCP connection
     * @param dnsDialer      opens the DNS-over-TCP streams; may be null when {@code spec} captures no resolver
     * @param remoteResolver the remote side's resolver (port 53 usually); may be null when no resolver is captured
     * @throws CaptureException with a one-line message for the user; nothing is left behind then
     */
    public static TransparentCapture start(CaptureSpec spec, Settings settings, RedirectListener.Handler handler,
            Dialer dnsDialer, InetSocketAddress remoteResolver) throws CaptureException {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(settings, "settings");
        boolean wantDns = !spec.dnsResolvers().isEmpty();
        if (wantDns && (dnsDialer == null || remoteResolver == null)) {
            throw new IllegalArgumentException("DNS capture needs a dialer and the remote resolver");
        }
        NftTable.findNft();
        SocketFd.check();
        StaleTables.sweep();
        RedirectListener listener = null;
        DnsForwarder dns = null;
        try {
            listener = RedirectListener.open(listenAddresses(spec, settings.listenPort()), handler,
                    settings.maxConnections());
            if (wantDns) {
                try {
                    dns = DnsForwarder.start(dnsListenAddresses(spec, settings.dnsPort()), dnsDialer, remoteResolver,
                            settings.dns());
                } catch (CaptureException e) {
                    throw e;
                } catch (IOException e) {
                    throw new CaptureException(e.getMessage(), e);
                }
            }
            int port = listener.port();
            int dnsPort = dns == null ? 0 : dns.port();
            NftTable table = NftTable.install(StaleTables.tableName(ProcessHandle.current().pid(), port),
                    owner -> NftRuleset.render(StaleTables.tableName(ProcessHandle.current().pid(), port), spec,
                            port, dnsPort, owner == 1));
            LOG.log(System.Logger.Level.INFO, "capturing {0} (except {1}) into port {2}{3}, nft table {4}{5}",
                    spec.includes(), spec.excludes(), String.valueOf(port), dns == null ? "" : ", DNS into port " + dnsPort,
                    table.name(), table.owned() ? "" : " (removed on exit)");
            return new TransparentCapture(listener, dns, table);
        } catch (CaptureException | RuntimeException e) {
            if (dns != null) {
                dns.close();
            }
            if (listener != null) {
                listener.close();
            }
            throw e;
        }
    }

    /**
     * Loopback addresses for local capture (REDIRECT sends local connections to 127.0.0.1 / ::1); the wildcard
     * addresses when forwarded traffic is captured too (it is redirected to the incoming interface's address).
     */
    static List<InetSocketAddress> listenAddresses(CaptureSpec spec, int port) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (spec.capturesIpv4()) {
            out.add(new InetSocketAddress(InetAddress.ofLiteral(spec.forwarded() ? "0.0.0.0" : "127.0.0.1"), port));
        }
        if (spec.capturesIpv6()) {
            out.add(new InetSocketAddress(InetAddress.ofLiteral(spec.forwarded() ? "::" : "::1"), port));
        }
        return out;
    }

    /**
     * Like {@link #listenAddresses}, but one dual-stack wildcard socket when forwarding: the JDK cannot make a
     * datagram socket IPv6-only, and DNS needs no per-family original destination.
     */
    static List<InetSocketAddress> dnsListenAddresses(CaptureSpec spec, int port) {
        if (spec.forwarded() && spec.capturesIpv6()) {
            return List.of(new InetSocketAddress(InetAddress.ofLiteral("::"), port));
        }
        return listenAddresses(spec, port);
    }

    /** The TCP listener's port. */
    public int port() {
        return listener.port();
    }

    /** The DNS listener's port, or 0 when DNS is not captured. */
    public int dnsPort() {
        return dns == null ? 0 : dns.port();
    }

    /** The nft table's name (inet family). */
    public String tableName() {
        return table.name();
    }

    public RedirectListener listener() {
        return listener;
    }

    /** The DNS forwarder, or null. */
    public DnsForwarder dns() {
        return dns;
    }

    /** Removes the rules, then closes the listeners and every captured connection. */
    @Override
    public void close() {
        table.close();
        if (dns != null) {
            dns.close();
        }
        listener.close();
    }
}
