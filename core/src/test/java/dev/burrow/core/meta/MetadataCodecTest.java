package dev.burrow.core.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetadataCodecTest {
    /** bup-format.md §12.3, as bup 0.33.7 writes it. */
    private static final String SPEC_VECTOR = "0a2b a48604 a80f 05616c696365 a80f 057573657273 00 80c49fd50c"
            + " 80cab5ee01 80c49fd50c 00 41 ff93ebdc03 06 070a 01 06757365722e6b 0176 00";

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static Metadata decode(byte[] bytes) throws IOException {
        return Metadata.decode(new ByteArrayInputStream(bytes));
    }

    private static Metadata specVectorFields() {
        return Metadata.builder().mode(0100644).uid(1000).user("alice").gid(1000).group("users").rdev(0)
                .atimeNanos(1_700_000_000_500_000_000L).mtimeNanos(1_700_000_000_000_000_000L).ctimeNanos(-1)
                .size(6).addXattr(ExtendedAttribute.of("user.k", "v".getBytes(StandardCharsets.UTF_8))).build();
    }

    @Test
    void specVectorEncodesToBupBytes() {
        assertArrayEquals(hex(SPEC_VECTOR), specVectorFields().encode());
    }

    @Test
    void specVectorDecodesToItsFields() throws IOException {
        Metadata m = decode(hex(SPEC_VECTOR));
        assertEquals(specVectorFields(), m);
        assertEquals(0100644, m.mode());
        assertEquals("alice", m.user());
        assertEquals("users", m.group());
        assertEquals(-1, m.ctimeNanos());
        assertEquals(6, m.size());
        assertTrue(m.isRegularFile());
    }

    @Test
    void specVectorReencodesToTheSameBytes() throws IOException {
        assertArrayEquals(hex(SPEC_VECTOR), decode(hex(SPEC_VECTOR)).encode());
    }

    @Test
    void negativeNanosecondSplitsIntoSecondMinusOneAndPositiveNanos() throws IOException {
        Metadata m = Metadata.builder().mode(0100644).ctimeNanos(-1).build();
        String encoded = m.encodedHex();
        // ctime: vint -1 then vuint 999999999; size -1 follows.
        assertTrue(encoded.contains("41ff93ebdc0341"), encoded);
        assertEquals(-1, decode(m.encode()).ctimeNanos());
    }

    @Test
    void timesBeforeTheEpochRoundTrip() throws IOException {
        Metadata m = Metadata.builder().mode(0100600).atimeNanos(-1_500_000_001L).mtimeNanos(-86_400_000_000_000L)
                .build();
        assertEquals(m, decode(m.encode()));
    }

    @Test
    void emptyEncodesAsSingleZeroByte() {
        assertArrayEquals(new byte[] {0}, Metadata.empty().encode());
        assertTrue(Metadata.empty().isEmpty());
    }

    @Test
    void zeroByteDecodesAsEmpty() throws IOException {
        assertSame(Metadata.empty(), decode(new byte[] {0}));
    }

    @Test
    void cleanEndOfStreamDecodesAsNull() throws IOException {
        assertNull(decode(new byte[0]));
    }

    @Test
    void consecutiveEntriesDecodeInOrder() throws IOException {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(Metadata.empty().encode());
        stream.writeBytes(specVectorFields().encode());
        ByteArrayInputStream in = new ByteArrayInputStream(stream.toByteArray());
        assertSame(Metadata.empty(), Metadata.decode(in));
        assertEquals(specVectorFields(), Metadata.decode(in));
        assertNull(Metadata.decode(in));
    }

    @Test
    void truncatedEntryIsCorrupt() {
        byte[] full = hex(SPEC_VECTOR);
        for (int length = 1; length < full.length; length++) {
            byte[] part = Arrays.copyOf(full, length);
            assertThrows(CorruptMetadataException.class, () -> decode(part), "length " + length);
        }
    }

    @Test
    void unknownTagsAreSkipped() throws IOException {
        // tag 30 with 3 bytes and tag 5 (nfsv4 ACL, never implemented) with none, before the known records.
        assertEquals(specVectorFields(), decode(hex("1e 03 010203 05 00 " + SPEC_VECTOR)));
    }

    @Test
    void legacyCommonV2RecordDecodesWithoutSize() throws IOException {
        // tag 9: the tag-10 payload without the trailing size.
        byte[] v3 = hex(SPEC_VECTOR);
        byte[] v2 = hex("092a a48604 a80f 05616c696365 a80f 057573657273 00 80c49fd50c 80cab5ee01 80c49fd50c 00 41"
                + " ff93ebdc03 00");
        assertEquals(v3[1] - 1, v2[1]);
        assertEquals(specVectorFields().withSize(-1).toBuilder().xattrs(List.of()).build(), decode(v2));
    }

    @Test
    void legacyCommonV1RecordDecodesUnsignedFields() throws IOException {
        // tag 2: mode, uid, gid, rdev as vuints.
        Metadata m = decode(hex("022a a48302 e807 05616c696365 e807 057573657273 00 80c49fd50c 80cab5ee01"
                + " 80c49fd50c 00 41 ff93ebdc03 00"));
        assertEquals(specVectorFields().withSize(-1).toBuilder().xattrs(List.of()).build(), m);
    }

    @Test
    void symlinkRecordSetsMissingSize() throws IOException {
        Metadata m = decode(hex("0303 616263 00"));
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), m.symlinkTarget());
        assertEquals(3, m.size());
    }

    @Test
    void recordsAreWrittenInBupOrder() throws IOException {
        Metadata m = specVectorFields().toBuilder().mode(0120777)
                .symlinkTarget("t".getBytes(StandardCharsets.US_ASCII))
                .hardlinkTarget("/h".getBytes(StandardCharsets.US_ASCII))
                .posix1eAcl(List.of(bytes("u::rw-"), bytes("u::rw-")))
                .linuxAttr(0x80000).build();
        byte[] encoded = m.encode();
        ByteArrayInputStream in = new ByteArrayInputStream(encoded);
        StringBuilder tags = new StringBuilder();
        long tag;
        while ((tag = Vint.readVuint(in)) != 0) {
            tags.append(tag).append(' ');
            Vint.readBvec(in);
        }
        assertEquals("10 3 8 11 6 7 ", tags.toString());
        assertEquals(m, decode(encoded));
    }

    @Test
    void aclRecordOfFileHasTwoEmptyDefaultTexts() throws IOException {
        Metadata m = Metadata.builder().mode(0100644).posix1eAcl(List.of(bytes("a"), bytes("b"))).build();
        assertTrue(m.encodedHex().contains("0b06" + "0161" + "0162" + "00" + "00"), m.encodedHex());
        assertEquals(2, decode(m.encode()).posix1eAcl().size());
    }

    @Test
    void aclV1RecordGetsCommaSeparators() throws IOException {
        Metadata m = decode(hex("040f 0875 3a3a72770a6f3a 0375 3a3a 00 00 00"));
        assertEquals("u::rw,o:", new String(m.posix1eAcl().get(0), StandardCharsets.US_ASCII));
    }

    @Test
    void nonUtf8NamesRoundTripExactly() throws IOException {
        byte[] user = {(byte) 0xff, 'x', (byte) 0xc3};
        Metadata m = Metadata.builder().mode(0100644).user(user).group(user).build();
        Metadata back = decode(m.encode());
        assertArrayEquals(user, back.userBytes());
        assertArrayEquals(m.encode(), back.encode());
    }

    @Test
    void sameContentFieldsIgnoresAtimeAndXattrs() {
        Metadata a = specVectorFields();
        Metadata b = a.toBuilder().atimeNanos(5).xattrs(List.of()).build();
        assertTrue(a.sameContentFields(b));
        assertFalse(a.sameContentFields(a.withSize(7)));
        assertFalse(a.sameContentFields(a.toBuilder().user("bob").build()));
    }

    @Test
    void hardlinkTargetIsRecord8() throws IOException {
        Metadata m = Metadata.builder().mode(0100644).build().withHardlinkTarget(bytes("/home/u/x"));
        assertArrayEquals(bytes("/home/u/x"), decode(m.encode()).hardlinkTarget());
        assertNull(m.withHardlinkTarget(null).hardlinkTarget());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
