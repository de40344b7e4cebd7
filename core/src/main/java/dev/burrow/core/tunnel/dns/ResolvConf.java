package dev.burrow.core.tunnel.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code nameserver} lines of a resolv.conf(5) file. */
public final class ResolvConf {
    public static final Path SYSTEM = Path.of("/etc/resolv.conf");

    private ResolvConf() {
    }

    /**
     * The resolvers named in {@code text}, in order, IP literals only (a zone suffix such as {@code %eth0} is
     * dropped). Loopback resolvers (a local stub such as systemd-resolved's 127.0.0.53) are left out: the stub
     * answers locally and its upstream servers are what must be captured.
     */
    public static List<InetAddress> nameservers(String text) {
        List<InetAddress> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver")) {
                continue;
            }
            String literal = words[1];
            int zone = literal.indexOf('%');
            if (zone >= 0) {
                literal = literal.substring(0, zone);
            }
            try {
                InetAddress address = InetAddress.ofLiteral(literal);
                if (!address.isLoopbackAddress() && !out.contains(address)) {
                    out.add(address);
                }
            } catch (IllegalArgumentException e) {
                // Not an IP literal: resolv.conf allows none, so skip the line as the C resolver does.
            }
        }
        return out;
    }

    /** The resolvers of the file at {@code path} (usually {@link #SYSTEM}). */
    public static List<InetAddress> nameservers(Path path) throws IOException {
        return nameservers(Files.readString(path, StandardCharsets.UTF_8));
    }
}
