package dev.burrow.core.check;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import dev.burrow.core.store.ObjectId;

/**
 * Checks one pack and its idx v2 in a single sequential read of the pack: the idx checksum, the pack
 * trailer, the object count, and for every object its CRC-32 (over the packed bytes, as the idx records
 * it), its inflated size, and -- for whole objects -- the SHA-1 of {@code "type size\0" + content}.
 * Delta objects (types 6 and 7, only after git gc/repack) are returned for checking through the reader,
 * since their content needs their base. Scratch buffers, digests and the inflater are reused across
 * objects and packs. Not thread safe.
 */
final class PackCheck {
    private static final int IDX_HEADER = 8 + 256 * 4;
    private static final String[] TYPE_NAMES = {null, "commit", "tree", "blob", "tag", null, null, null};
    private static final HexFormat HEX = HexFormat.of();

    private final MessageDigest packSha;
    private final MessageDigest objectSha;
    private final CRC32 crc = new CRC32();
    private final Inflater inflater = new Inflater();
    private final byte[] inBuf = new byte[64 * 1024];
    private final byte[] outBuf = new byte[64 * 1024];
    private final byte[] one = new byte[1];

    private InputStream in;
    private long pos;

    /** Callbacks and results for one pack. */
    interface Sink {
        void problem(String line);

        void bytesRead(long n);
    }

    PackCheck() {
        try {
            packSha = MessageDigest.getInstance("SHA-1");
            objectSha = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-1", e);
        }
    }

    void close() {
        inflater.end();
    }

    /**
     * Checks {@code idxFile} and the pack next to it.
     *
     * @param deltas receives the ids of delta objects, whose content this check cannot hash
     * @return the number of objects the idx lists, or -1 if the idx is unusable
     */
    long check(Path idxFile, Path packFile, Sink sink, Consumer<ObjectId> deltas) throws IOException {
        String idxName = idxFile.getFileName().toString();
        String packName = packFile.getFileName().toString();
        byte[] idx = Files.readAllBytes(idxFile);
        if (idx.length < IDX_HEADER + 40 || (idx[0] & 0xff) != 0xff || idx[1] != 't' || idx[2] != 'O'
                || idx[3] != 'c' || int32(idx, 4) != 2) {
            sink.problem(idxName + ": not a version 2 pack index");
            return -1;
        }
        packSha.reset();
        packSha.update(idx, 0, idx.length - 20);
        if (!Arrays.equals(packSha.digest(), 0, 20, idx, idx.length - 20, idx.length)) {
            sink.problem(idxName + ": idx checksum does not match its content");
        }
        int n = int32(idx, IDX_HEADER - 4);
        long need = IDX_HEADER + 28L * n + 40;
        if (n < 0 || idx.length < need) {
            sink.problem(idxName + ": truncated (" + idx.length + " bytes for " + n + " objects)");
            return -1;
        }
        int prev = 0;
        for (int b = 0; b < 256; b++) {
            int f = int32(idx, 8 + 4 * b);
            if (f < prev) {
                sink.problem(idxName + ": fanout table is not monotonic at byte " + b);
                return -1;
            }
            prev = f;
        }
        int idsAt = IDX_HEADER;
        int crcAt = idsAt + 20 * n;
        int offAt = crcAt + 4 * n;
        int largeAt = offAt + 4 * n;
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            int o = int32(idx, offAt + 4 * i);
            if (o < 0) {
                int li = o & 0x7fffffff;
                if (largeAt + 8L * li + 8 > idx.length - 40) {
                    sink.problem(idxName + ": large offset index " + li + " out of range");
                    return -1;
                }
                offsets[i] = (long) int32(idx, largeAt + 8 * li) << 32 | (int32(idx, largeAt + 8 * li + 4) & 0xffffffffL);
            } else {
                offsets[i] = o;
            }
            if (i > 0 && Arrays.compareUnsigned(idx, idsAt + 20 * (i - 1), idsAt + 20 * i, idx, idsAt + 20 * i,
                    idsAt + 20 * (i + 1)) >= 0) {
                sink.problem(idxName + ": object ids are not sorted at entry " + i);
            }
        }
        byte[] idxPackSha = Arrays.copyOfRange(idx, idx.length - 40, idx.length - 20);
        if (!Files.isRegularFile(packFile)) {
            sink.problem(idxName + ": its pack " + packName + " is missing");
            return n;
        }
        long packLen = Files.size(packFile);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> offsets[i]));

        packSha.reset();
        pos = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(packFile), 64 * 1024)) {
            in = raw;
            if (packLen < 32) {
                sink.problem(packName + ": too short to be a pack (" + packLen + " bytes)");
                return n;
            }
            byte[] header = new byte[12];
            readFully(header, 12);
            if (header[0] != 'P' || header[1] != 'A' || header[2] != 'C' || header[3] != 'K'
                    || (int32(header, 4) != 2 && int32(header, 4) != 3)) {
                sink.problem(packName + ": bad pack header");
                return n;
            }
            if (int32(header, 8) != n) {
                sink.problem(packName + ": header counts " + int32(header, 8) + " objects, " + idxName + " lists " + n);
            }
            long dataEnd = packLen - 20;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                ObjectId id = ObjectId.fromBytes(idx, idsAt + 20 * i);
                long start = offsets[i];
                long end = k + 1 < n ? offsets[order[k + 1]] : dataEnd;
                String where = packName + ": object " + id.name() + " at offset " + start + ": ";
                if (start < pos || start >= dataEnd || end > dataEnd) {
                    sink.problem(where + "offset out of range or overlapping");
                    continue;
                }
                skipTo(start);
                crc.reset();
                checkObject(id, end, where, sink, deltas);
                skipTo(end);
                long expectedCrc = int32(idx, crcAt + 4 * i) & 0xffffffffL;
                if (crc.getValue() != expectedCrc) {
                    sink.problem(where + "CRC-32 of the packed bytes is " + Long.toHexString(crc.getValue())
                            + ", idx says " + Long.toHexString(expectedCrc));
                }
                sink.bytesRead(end - start);
            }
            skipTo(dataEnd);
            byte[] digest = packSha.digest();
            byte[] trailer = raw.readNBytes(20);
            if (!Arrays.equals(digest, trailer)) {
                sink.problem(packName + ": trailer SHA-1 " + HEX.formatHex(trailer) + " does not match the pack's"
                        + " content (" + HEX.formatHex(digest) + ")");
            }
            if (!Arrays.equals(trailer, idxPackSha)) {
                sink.problem(idxName + ": names pack checksum " + HEX.formatHex(idxPackSha) + ", but " + packName
                        + " ends with " + HEX.formatHex(trailer));
            }
        } catch (EOFException e) {
            sink.problem(packName + ": truncated at offset " + pos);
        } finally {
            in = null;
        }
        return n;
    }

    private void checkObject(ObjectId id, long end, String where, Sink sink, Consumer<ObjectId> deltas)
            throws IOException {
        int c = readByte();
        int type = (c >>> 4) & 7;
        long size = c & 0x0f;
        int shift = 4;
        while ((c & 0x80) != 0) {
            if (shift > 56) {
                sink.problem(where + "object header too long");
                return;
            }
            c = readByte();
            size |= (long) (c & 0x7f) << shift;
            shift += 7;
        }
        boolean whole = type >= 1 && type <= 4;
        if (type == 6) {
            do {
                c = readByte();
            } while ((c & 0x80) != 0);
        } else if (type == 7) {
            for (int b = 0; b < 20; b++) {
                readByte();
            }
        } else if (!whole) {
            sink.problem(where + "unknown object type " + type);
            return;
        }
        if (whole) {
            objectSha.reset();
            objectSha.update((TYPE_NAMES[type] + " " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        inflater.reset();
        long inflated = 0;
        try {
            while (!inflater.finished()) {
                if (inflater.needsInput()) {
                    long avail = end - pos;
                    if (avail <= 0) {
                        sink.problem(where + "zlib stream runs past the object's end");
                        return;
                    }
                    int got = read(inBuf, 0, (int) Math.min(inBuf.length, avail));
                    inflater.setInput(inBuf, 0, got);
                }
                int k = inflater.inflate(outBuf);
                if (k == 0 && inflater.needsDictionary()) {
                    sink.problem(where + "zlib stream wants a preset dictionary");
                    return;
                }
                if (whole) {
                    objectSha.update(outBuf, 0, k);
                }
                inflated += k;
            }
        } catch (DataFormatException e) {
            sink.problem(where + "cannot inflate: " + e.getMessage());
            return;
        }
        if (inflated != size) {
            sink.problem(where + "inflates to " + inflated + " bytes, header says " + size);
            return;
        }
        if (!whole) {
            deltas.accept(id);
            return;
        }
        byte[] digest = objectSha.digest();
        if (!id.equalsBytes(digest, 0)) {
            sink.problem(where + "content hashes to " + HEX.formatHex(digest));
        }
    }

    private int readByte() throws IOException {
        read(one, 0, 1);
        return one[0] & 0xff;
    }

    private void readFully(byte[] b, int len) throws IOException {
        int got = 0;
        while (got < len) {
            got += read(b, got, len - got);
        }
    }

    /** Reads 1 to {@code len} bytes into {@code b} at {@code off}, updating the pack digest and the object CRC. */
    private int read(byte[] b, int off, int len) throws IOException {
        int k = in.read(b, off, len);
        if (k < 0) {
            throw new EOFException();
        }
        packSha.update(b, off, k);
        crc.update(b, off, k);
        pos += k;
        return k;
    }

    private void skipTo(long target) throws IOException {
        while (pos < target) {
            read(inBuf, 0, (int) Math.min(inBuf.length, target - pos));
        }
    }

    private static int int32(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }

    /** Pack files without an idx. */
    static List<String> orphanPacks(List<Path> packs, List<Path> idxs) {
        List<String> out = new ArrayList<>();
        for (Path p : packs) {
            String base = p.getFileName().toString().replaceFirst("\\.pack$", ".idx");
            if (idxs.stream().noneMatch(i -> i.getFileName().toString().equals(base))) {
                out.add(p.getFileName() + ": has no idx; its objects cannot be found");
            }
        }
        return out;
    }
}
