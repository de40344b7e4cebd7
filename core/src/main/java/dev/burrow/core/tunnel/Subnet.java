package dev.burrow.core.tunnel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A destination range to capture or exclude: an IPv4 or IPv6 network and a port range, written the sshuttle way:
 * {@code 10.0.0.0/8}, {@code 192.168.1.7} (one host), {@code 10.0.0.0/8:443}, {@code 10.0.0.0/8:8000-8999},
 * {@code 0/0}, {@code 2001:db8::/32}, and with ports {@code [2001:db8::]/32:443} or {@code [2001:db8::/32]:443}.
 * Host bits are cleared, so {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
 *
 * @param network   the network address, host bits zero
 * @param prefix    prefix length, 0–32 or 0–128
 * @param firstPort lowest port, 1 when all ports are meant
 * @param lastPort  highest port, 65535 when all ports are meant
 */
public record Subnet(InetAddress network, int prefix, int firstPort, int lastPort) {
    private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]/]+)(?:/(\\d+))?\\](?:/(\\d+))?(?::(.+))?");
    private static final Pattern IPV4 = Pattern.compile("([0-9.]+)(?:/(\\d+))?(?::(.+))?");

    public Subnet {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix length must be 0-" + bits + ": " + prefix);
        }
        if (firstPort < 1 || lastPort > 65535 || firstPort > lastPort) {
            throw new IllegalArgumentException("bad port range " + firstPort + "-" + lastPort);
        }
        network = mask(network, prefix);
    }

    /**
     * Parses the sshuttle notation above.
     *
     * @throws IllegalArgumentException with a message saying what is wrong (not naming the argument)
     */
    public static Subnet parse(String text) {
        String s = text.strip();
        String address;
        String prefix;
        String ports;
        Matcher m;
        if ((m = BRACKETED.matcher(s)).matches()) {
            if (m.group(2) != null && m.group(3) != null) {
                throw new IllegalArgumentException("two prefix lengths");
            }
            address = m.group(1);
            prefix = m.group(2) != null ? m.group(2) : m.group(3);
            ports = m.group(4);
        } else if (s.indexOf(':') != s.lastIndexOf(':')) {
            int slash = s.indexOf('/');
            address = slash < 0 ? s : s.substring(0, slash);
            prefix = slash < 0 ? null : s.substring(slash + 1);
            ports = null;
            if (prefix != null && !prefix.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("write IPv6 subnets with ports as [ADDR]/LEN:PORTS");
            }
        } else if ((m = IPV4.matcher(s)).matches()) {
            address = m.group(1);
            prefix = m.group(2);
            ports = m.group(3);
            if (address.equals("0")) {
                address = "0.0.0.0";
            }
        } else {
            throw new IllegalArgumentException("not an IP address or subnet (names are not accepted here)");
        }
        InetAddress network;
        try {
            network = InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + address + "' is not an IP address");
        }
        int bits = network.getAddress().length * 8;
        int length = prefix == null ? bits : parseNumber(prefix, "prefix length");
        if (length > bits) {
            throw new IllegalArgumentException("prefix length must be 0-" + bits + ", not " + length);
        }
        int first = 1;
        int last = 65535;
        if (ports != null) {
            int dash = ports.indexOf('-');
            first = parseNumber(dash < 0 ? ports : ports.substring(0, dash), "port");
            last = dash < 0 ? first : parseNumber(ports.substring(dash + 1), "port");
            if (first < 1 || last > 65535 || first > last) {
                throw new IllegalArgumentException("ports must be 1-65535, low to high: " + ports);
            }
        }
        return new Subnet(network, length, first, last);
    }

    private static int parseNumber(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: " + text);
        }
    }

    private static InetAddress mask(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xFF << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    public boolean allPorts() {
        return firstPort == 1 && lastPort == 65535;
    }

    /** Whether {@code address:port} falls in this subnet. */
    public boolean contains(InetAddress address, int port) {
        if (address.getAddress().length != network.getAddress().length || port < firstPort || port > lastPort) {
            return false;
        }
        return mask(address, prefix).equals(network);
    }

    @Override
    public String toString() {
        String net = network.getHostAddress() + "/" + prefix;
        if (allPorts()) {
            return net;
        }
        String range = firstPort == lastPort ? String.valueOf(firstPort) : firstPort + "-" + lastPort;
        return (isIpv4() ? net : "[" + net + "]") + ":" + range;
    }
}
