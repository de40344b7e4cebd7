package dev.burrow.core.tunnel.capture;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix, optionally limited to a port range: the unit of the capture rules
 * ({@code SUBNET[:PORTS]} on the command line). Host bits below the prefix are cleared, so
 * {@code 198.18.2.7/24} and {@code 198.18.2.0/24} are equal.
 *
 * @param ports the captured TCP ports, or {@code null} for all
 */
public record Subnet(InetAddress address, int prefix, PortRange ports) {
    public Subnet {
        Objects.requireNonNull(address, "address");
        int bits = address.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix length must be 0.." + bits + ": " + address.getHostAddress()
                    + "/" + prefix);
        }
        address = masked(address, prefix);
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /**
     * Parses {@code 198.18.2.0/24}, {@code 198.18.2.2}, {@code 198.18.2.0/24:80}, {@code 0/0:8000-8100},
     * {@code 2001:2::/48} and, with ports, {@code [2001:2::]/48:443}. Only IP literals: names are never resolved.
     */
    public static Subnet parse(String text) {
        String rest = text.strip();
        String addressPart;
        String after;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in " + text);
            }
            addressPart = rest.substring(1, close);
            after = rest.substring(close + 1);
        } else if (rest.indexOf(':') != rest.lastIndexOf(':')) {
            // An IPv6 literal without brackets cannot carry ports.
            addressPart = rest;
            after = "";
            int slash = rest.indexOf('/');
            if (slash >= 0) {
                addressPart = rest.substring(0, slash);
                after = rest.substring(slash);
            }
        } else {
            int slashOrColon = indexOfAny(rest, "/:");
            addressPart = slashOrColon < 0 ? rest : rest.substring(0, slashOrColon);
            after = slashOrColon < 0 ? "" : rest.substring(slashOrColon);
        }
        InetAddress address = literal(addressPart, text);
        int prefix = address.getAddress().length * 8;
        PortRange ports = null;
        if (after.startsWith("/")) {
            int colon = after.indexOf(':');
            String bits = colon < 0 ? after.substring(1) : after.substring(1, colon);
            try {
                prefix = Integer.parseInt(bits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a prefix length in " + text, e);
            }
            after = colon < 0 ? "" : after.substring(colon);
        }
        if (after.startsWith(":")) {
            ports = PortRange.parse(after.substring(1));
        } else if (!after.isEmpty()) {
            throw new IllegalArgumentException("cannot read subnet " + text);
        }
        return new Subnet(address, prefix, ports);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static InetAddress literal(String text, String whole) {
        String t = text;
        // "0/0" and "10/8" are common shorthands for IPv4 prefixes.
        if (t.matches("[0-9]+")) {
            t = t + ".0.0.0";
        }
        try {
            return InetAddress.ofLiteral(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address in " + whole + ": " + text, e);
        }
    }

    private static InetAddress masked(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.clamp(prefix - i * 8L, 0, 8);
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
    }

    /** Whether {@code candidate} lies inside this prefix (ports are not considered). */
    public boolean contains(InetAddress candidate) {
        if (candidate.getAddress().length != address.getAddress().length) {
            return false;
        }
        return masked(candidate, prefix).equals(address);
    }

    /** The nft notation of the prefix, e.g. {@code 198.18.2.0/24}. */
    String prefixText() {
        return address.getHostAddress() + "/" + prefix;
    }

    @Override
    public String toString() {
        String base = prefixText();
        if (ports == null) {
            return base;
        }
        return (isIpv4() ? base : "[" + address.getHostAddress() + "]/" + prefix) + ":" + ports;
    }
}
