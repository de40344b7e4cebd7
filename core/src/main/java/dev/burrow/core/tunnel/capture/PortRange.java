package dev.burrow.core.tunnel.capture;

/**
 * An inclusive range of TCP ports, {@code first..last}; a single port has {@code first == last}.
 */
public record PortRange(int first, int last) {
    public PortRange {
        if (first < 1 || first > 65535 || last < 1 || last > 65535) {
            throw new IllegalArgumentException("ports must be 1..65535: " + first + "-" + last);
        }
        if (first > last) {
            throw new IllegalArgumentException("port range runs backwards: " + first + "-" + last);
        }
    }

    /** Parses {@code 80} or {@code 8000-8100}. */
    public static PortRange parse(String text) {
        int dash = text.indexOf('-');
        try {
            if (dash < 0) {
                int port = Integer.parseInt(text);
                return new PortRange(port, port);
            }
            return new PortRange(Integer.parseInt(text.substring(0, dash)), Integer.parseInt(text.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port or port range: " + text, e);
        }
    }

    /** The nft notation: {@code 80} or {@code 8000-8100}. */
    String toNft() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }

    @Override
    public String toString() {
        return toNft();
    }
}
