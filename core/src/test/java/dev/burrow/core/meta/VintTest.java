package dev.burrow.core.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class VintTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void vuintEncodesSpecExamples() {
        assertArrayEquals(hex("00"), Vint.encodeVuint(0));
        assertArrayEquals(hex("7f"), Vint.encodeVuint(127));
        assertArrayEquals(hex("8001"), Vint.encodeVuint(128));
        assertArrayEquals(hex("ac02"), Vint.encodeVuint(300));
    }

    @Test
    void vintEncodesSpecExamples() {
        assertArrayEquals(hex("00"), Vint.encodeVint(0));
        assertArrayEquals(hex("01"), Vint.encodeVint(1));
        assertArrayEquals(hex("41"), Vint.encodeVint(-1));
        assertArrayEquals(hex("8001"), Vint.encodeVint(64));
        assertArrayEquals(hex("c001"), Vint.encodeVint(-64));
    }

    @Test
    void vuintDecodesSpecExamples() throws IOException {
        assertEquals(0, Vint.readVuint(new ByteArrayInputStream(hex("00"))));
        assertEquals(127, Vint.readVuint(new ByteArrayInputStream(hex("7f"))));
        assertEquals(128, Vint.readVuint(new ByteArrayInputStream(hex("8001"))));
        assertEquals(300, Vint.readVuint(new ByteArrayInputStream(hex("ac02"))));
    }

    @Test
    void vintDecodesSpecExamples() throws IOException {
        assertEquals(1, Vint.readVint(new ByteArrayInputStream(hex("01"))));
        assertEquals(-1, Vint.readVint(new ByteArrayInputStream(hex("41"))));
        assertEquals(64, Vint.readVint(new ByteArrayInputStream(hex("8001"))));
        assertEquals(-64, Vint.readVint(new ByteArrayInputStream(hex("c001"))));
    }

    @Test
    void valuesRoundTripAcrossTheWholeRange() throws IOException {
        long[] values = {0, 1, 63, 64, 127, 128, 8191, 8192, 1_700_000_000L, 999_999_999L, 1L << 40,
            Long.MAX_VALUE, -Long.MAX_VALUE, -1_700_000_000L, -65};
        for (long v : values) {
            assertEquals(v, Vint.readVint(new ByteArrayInputStream(Vint.encodeVint(v))), "vint " + v);
            if (v >= 0) {
                assertEquals(v, Vint.readVuint(new ByteArrayInputStream(Vint.encodeVuint(v))), "vuint " + v);
            }
        }
    }

    @Test
    void bvecIsLengthThenBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Vint.writeBvec(out, "alice".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals(hex("05616c696365"), out.toByteArray());
        assertArrayEquals("alice".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                Vint.readBvec(new ByteArrayInputStream(out.toByteArray())));
    }

    @Test
    void negativeVuintIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Vint.encodeVuint(-1));
    }

    @Test
    void truncatedValuesThrowEof() {
        assertThrows(EOFException.class, () -> Vint.readVuint(new ByteArrayInputStream(hex("80"))));
        assertThrows(EOFException.class, () -> Vint.readVint(new ByteArrayInputStream(hex("c0"))));
        assertThrows(EOFException.class, () -> Vint.readBvec(new ByteArrayInputStream(hex("0561"))));
    }

    @Test
    void vuintWiderThan63BitsIsCorrupt() {
        assertThrows(CorruptMetadataException.class,
                () -> Vint.readVuint(new ByteArrayInputStream(hex("ffffffffffffffffff01"))));
    }
}
