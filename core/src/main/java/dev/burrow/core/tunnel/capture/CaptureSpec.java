package dev.burrow.core.tunnel.capture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * What transparent capture redirects into the tunnel.
 *
 * @param includes     prefixes (optionally with ports) whose TCP connections are captured
 * @param excludes     prefixes never captured; an exclude always wins over an include, whatever the prefix lengths
 * @param server       the SSH server: its address is never captured, so the tunnel cannot swallow itself
 * @param dnsResolvers local resolvers whose DNS queries (UDP and TCP port 53) go through the tunnel; empty for none
 * @param forwarded    also capture traffic that other hosts route through this one (prerouting hook); the
 *                     listeners then bind the wildcard addresses instead of loopback
 */
public record CaptureSpec(List<Subnet> includes, List<Subnet> excludes, InetSocketAddress server,
        List<InetAddress> dnsResolvers, boolean forwarded) {
    public CaptureSpec {
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
        Objects.requireNonNull(server, "server");
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("resolve the SSH server before capturing, got " + server);
        }
        dnsResolvers = List.copyOf(dnsResolvers);
        if (includes.isEmpty() && dnsResolvers.isEmpty()) {
            throw new IllegalArgumentException("nothing to capture: give at least one subnet or DNS resolver");
        }
    }

    public boolean capturesIpv6() {
        return includes.stream().anyMatch(s -> !s.isIpv4())
                || dnsResolvers.stream().anyMatch(a -> a.getAddress().length == 16);
    }

    public boolean capturesIpv4() {
        return includes.stream().anyMatch(Subnet::isIpv4)
                || dnsResolvers.stream().anyMatch(a -> a.getAddress().length == 4);
    }
}
