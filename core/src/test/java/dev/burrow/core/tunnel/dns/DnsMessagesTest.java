package dev.burrow.core.tunnel.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class DnsMessagesTest {
    /** A query for {@code name} type A, with an EDNS OPT record advertising {@code udpSize} when it is positive. */
    static byte[] query(int id, String name, int udpSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, (byte) (udpSize > 0 ? 1 : 0)});
        out.writeBytes(question(name));
        if (udpSize > 0) {
            out.writeBytes(new byte[] {0, 0, 41, (byte) (udpSize >> 8), (byte) udpSize, 0, 0, 0, 0, 0, 0});
        }
        return out.toByteArray();
    }

    static byte[] question(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        out.writeBytes(new byte[] {0, 0, 1, 0, 1});
        return out.toByteArray();
    }

    /** An answer to {@code query} with {@code count} A records (16 bytes each, name compressed). */
    static byte[] answer(byte[] query, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] q = question(nameOf(query));
        out.writeBytes(new byte[] {query[0], query[1], (byte) 0x81, (byte) 0x80, 0, 1, (byte) (count >> 8),
                (byte) count, 0, 0, 0, 0});
        out.writeBytes(q);
        for (int i = 0; i < count; i++) {
            out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, (byte) 198, 18, 2,
                    (byte) i});
        }
        return out.toByteArray();
    }

    static String nameOf(byte[] query) {
        StringBuilder name = new StringBuilder();
        for (int i = 12; query[i] != 0; i += 1 + query[i]) {
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(new String(query, i + 1, query[i], java.nio.charset.StandardCharsets.US_ASCII));
        }
        return name.toString();
    }

    @Test
    void udpSizeIsTheEdnsSizeOr512() {
        assertEquals(512, DnsMessages.udpSize(query(7, "secret.lab", 0), query(7, "secret.lab", 0).length));
        byte[] edns = query(7, "secret.lab", 1232);
        assertEquals(1232, DnsMessages.udpSize(edns, edns.length));
        byte[] tiny = query(7, "secret.lab", 100);
        assertEquals(512, DnsMessages.udpSize(tiny, tiny.length), "EDNS sizes below 512 mean 512");
    }

    @Test
    void malformedQueryGets512() {
        byte[] q = query(7, "secret.lab", 1232);
        assertEquals(512, DnsMessages.udpSize(q, 20));
    }

    @Test
    void truncatedKeepsHeaderAndQuestionAndSetsTc() {
        byte[] q = query(0x1234, "secret.lab", 0);
        byte[] big = answer(q, 40);
        byte[] cut = DnsMessages.truncated(big);
        byte[] expected = new byte[12 + question("secret.lab").length];
        System.arraycopy(big, 0, expected, 0, expected.length);
        expected[2] |= 0x02;
        expected[7] = 0;
        assertArrayEquals(expected, cut);
        assertEquals(0x1234, DnsMessages.id(cut));
    }
}
