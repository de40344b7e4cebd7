package dev.burrow.core.tunnel.capture;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders the nftables table for a {@link CaptureSpec} as one line of nft syntax, so that {@code nft -i}
 * reads it as one command and the kernel applies it as one transaction.
 *
 * <p>Shape: a regular chain {@code capture} entered from an output nat chain (this host's own connections) and,
 * when {@code forwarded}, a prerouting nat chain (connections routed through this host). Rule order is first
 * match wins: DNS queries to the captured resolvers, then the SSH server's address (never captured), then local
 * destinations, then every exclude, then the includes. Excludes therefore always beat includes.
 */
final class NftRuleset {
    /** The nat hooks run at -100 (dstnat); nft 1.0.6 rejects the name {@code dstnat} in an output chain. */
    private static final int NAT_PRIORITY = -100;

    private NftRuleset() {
    }

    static String render(String table, CaptureSpec spec, int listenPort, int dnsPort, boolean owner) {
        List<String> rules = new ArrayList<>();
        if (!spec.dnsResolvers().isEmpty()) {
            if (dnsPort <= 0) {
                throw new IllegalArgumentException("DNS resolvers given but no DNS port: " + dnsPort);
            }
            for (boolean v4 : new boolean[] {true, false}) {
                List<InetAddress> resolvers = spec.dnsResolvers().stream()
                        .filter(a -> (a instanceof Inet4Address) == v4).toList();
                if (resolvers.isEmpty()) {
                    continue;
                }
                String set = resolvers.stream().map(InetAddress::getHostAddress)
                        .collect(Collectors.joining(", ", "{ ", " }"));
                String family = v4 ? "ip" : "ip6";
                rules.add(family + " daddr " + set + " udp dport 53 redirect to :" + dnsPort);
                rules.add(family + " daddr " + set + " tcp dport 53 redirect to :" + dnsPort);
            }
        }
        InetAddress server = spec.server().getAddress();
        rules.add(family(server) + " daddr " + server.getHostAddress() + " return");
        rules.add("fib daddr type local return");
        for (Subnet exclude : spec.excludes()) {
            rules.add(match(exclude) + " return");
        }
        for (Subnet include : spec.includes()) {
            rules.add(match(include) + " redirect to :" + listenPort);
        }

        StringBuilder out = new StringBuilder();
        out.append("table inet ").append(table).append(" { ");
        if (owner) {
            out.append("flags owner; ");
        }
        out.append("chain capture { ").append(String.join("; ", rules)).append("; }; ");
        out.append(baseChain("output", "output"));
        if (spec.forwarded()) {
            out.append(baseChain("prerouting", "prerouting"));
        }
        out.append("}");
        return out.toString();
    }

    private static String baseChain(String name, String hook) {
        return "chain " + name + " { type nat hook " + hook + " priority " + NAT_PRIORITY
                + "; policy accept; jump capture; }; ";
    }

    private static String family(InetAddress address) {
        return address instanceof Inet4Address ? "ip" : "ip6";
    }

    private static String match(Subnet subnet) {
        String daddr = family(subnet.address()) + " daddr " + subnet.prefixText();
        return subnet.ports() == null ? daddr + " meta l4proto tcp" : daddr + " tcp dport " + subnet.ports().toNft();
    }
}
