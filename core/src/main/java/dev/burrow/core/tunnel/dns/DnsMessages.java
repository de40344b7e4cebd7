package dev.burrow.core.tunnel.dns;

/**
 * The little of the DNS wire format (RFC 1035, RFC 6891) the forwarder needs: the id, the client's UDP size, and a
 * truncated answer (TC bit set, question only) when an answer does not fit it.
 */
final class DnsMessages {
    static final int HEADER = 12;
    /** RFC 1035's limit for a UDP answer when the query carries no EDNS OPT record. */
    static final int CLASSIC_UDP_SIZE = 512;
    private static final int TYPE_OPT = 41;

    private DnsMessages() {
    }

    static int id(byte[] message) {
        return u16(message, 0);
    }

    /** The largest UDP answer the client takes: its EDNS OPT size, or 512. Malformed queries get 512. */
    static int udpSize(byte[] query, int length) {
        try {
            int qd = u16(query, 4);
            int an = u16(query, 6);
            int ns = u16(query, 8);
            int ar = u16(query, 10);
            int at = HEADER;
            for (int i = 0; i < qd; i++) {
                at = skipName(query, at, length) + 4;
            }
            for (int i = 0; i < an + ns; i++) {
                at = skipRecord(query, at, length);
            }
            for (int i = 0; i < ar; i++) {
                int afterName = skipName(query, at, length);
                if (u16(query, afterName) == TYPE_OPT) {
                    return Math.max(CLASSIC_UDP_SIZE, u16(query, afterName + 2));
                }
                at = skipRecord(query, at, length);
            }
        } catch (IndexOutOfBoundsException e) {
            // A query we cannot read: the classic limit is always safe.
        }
        return CLASSIC_UDP_SIZE;
    }

    /**
     * {@code answer} cut down to header and question, with the TC bit set, so that the client asks again over TCP
     * (which the capture rules also send through the tunnel).
     */
    static byte[] truncated(byte[] answer) {
        int qd = u16(answer, 4);
        int end = HEADER;
        for (int i = 0; i < qd; i++) {
            end = skipName(answer, end, answer.length) + 4;
        }
        if (end > answer.length) {
            throw new IndexOutOfBoundsException("question runs past the answer's end");
        }
        byte[] out = java.util.Arrays.copyOf(answer, end);
        out[2] |= 0x02;
        for (int i = 6; i < HEADER; i++) {
            out[i] = 0;
        }
        return out;
    }

    private static int skipRecord(byte[] m, int at, int length) {
        int afterName = skipName(m, at, length);
        int rdLength = u16(m, afterName + 8);
        return afterName + 10 + rdLength;
    }

    private static int skipName(byte[] m, int at, int length) {
        int i = at;
        while (true) {
            if (i >= length) {
                throw new IndexOutOfBoundsException("name runs past the message's end");
            }
            int label = m[i] & 0xff;
            if (label == 0) {
                return i + 1;
            }
            if ((label & 0xc0) == 0xc0) {
                return i + 2;
            }
            i += 1 + label;
        }
    }

    private static int u16(byte[] m, int at) {
        return ((m[at] & 0xff) << 8) | (m[at + 1] & 0xff);
    }
}
