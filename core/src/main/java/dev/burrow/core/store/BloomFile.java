package dev.burrow.core.store;

import static dev.burrow.core.store.PackIndexFile.BE_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * bup's {@code bup.bloom} v2 (spec §9): a bloom filter over the ids of the idx files it names. "Absent" is
 * certain; "present" means "look in the idx files".
 *
 * <pre>
 * "BLOM" u32 version=2 u16 bits u16 k u32 entries | 2^bits-byte table | idx names, NUL-separated
 * </pre>
 *
 * Each id sets k bits, each addressed by a slice of the id: with k = 5, the big-endian u32 at {@code 4j}
 * gives the byte (its top {@code bits} bits) and the bit in that byte (the next 3); with k = 4 the same
 * with the 40-bit value at {@code 5j}. A bit {@code b} of a byte is the mask {@code 1 << b}.
 */
final class BloomFile implements AutoCloseable {
    static final int MAGIC = 0x424c4f4d;   // "BLOM"
    static final int VERSION = 2;
    static final int HEADER = 16;
    /**
     * The largest table Burrow reads or writes: 2^31 bytes. bup allows 2^37 with k = 4, but computes its
     * masks in 32-bit arithmetic there, so larger tables are not read the way the spec says.
     */
    static final int MAX_BITS = 31;
    static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment map;
    private final int bits;
    private final int k;
    private final long entries;
    private final List<String> idxNames;

    private BloomFile(Path path, Arena arena, MemorySegment map, int bits, int k, long entries, List<String> names) {
        this.path = path;
        this.arena = arena;
        this.map = map;
        this.bits = bits;
        this.k = k;
        this.entries = entries;
        this.idxNames = names;
    }

    static BloomFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER) {
                throw new CorruptPackException(path, "too short for a bloom filter (" + size + " bytes)");
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (map.get(BE_INT, 0) != MAGIC) {
                throw new CorruptPackException(path, "not a bloom filter");
            }
            int version = map.get(BE_INT, 4);
            if (version != VERSION) {
                throw new CorruptPackException(path, "bloom version " + version + " is not supported (only "
                        + VERSION + ")");
            }
            int bits = map.get(BE_SHORT, 8) & 0xffff;
            int k = map.get(BE_SHORT, 10) & 0xffff;
            long entries = map.get(BE_INT, 12) & 0xffffffffL;
            if (k != 4 && k != 5 || bits < 1 || bits > (k == 5 ? 29 : MAX_BITS)) {
                throw new CorruptPackException(path, "bloom with k=" + k + " and 2^" + bits + " bytes is not valid");
            }
            long namesOffset = HEADER + (1L << bits);
            if (namesOffset > size) {
                throw new CorruptPackException(path, "bloom table of 2^" + bits + " bytes does not fit " + size);
            }
            List<String> names = MidxFile.names(map, namesOffset, size);
            return new BloomFile(path, arena, map, bits, k, entries, List.copyOf(names));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    int bits() {
        return bits;
    }

    int k() {
        return k;
    }

    /** Ids added so far (counting an id once per idx that has it). */
    long entries() {
        return entries;
    }

    List<String> idxNames() {
        return idxNames;
    }

    MemorySegment segment() {
        return map;
    }

    /** False when the id is certainly in none of the covered idx files. Allocation-free, thread safe. */
    boolean mayContain(byte[] id, int off) {
        return mayContain(map, bits, k, id, off);
    }

    static boolean mayContain(MemorySegment map, int bits, int k, byte[] id, int off) {
        if (k == 5) {
            for (int j = 0; j < 5; j++) {
                int w = (int) PackIndexFile.BYTES_BE_INT.get(id, off + 4 * j);
                long at = HEADER + (Integer.toUnsignedLong(w) >>> (32 - bits));
                int bit = (w >>> (29 - bits)) & 7;
                if ((map.get(ValueLayout.JAVA_BYTE, at) & (1 << bit)) == 0) {
                    return false;
                }
            }
        } else {
            for (int j = 0; j < 4; j++) {
                long w = word40(id, off + 5 * j);
                long at = HEADER + (w >>> (40 - bits));
                int bit = (int) (w >>> (37 - bits)) & 7;
                if ((map.get(ValueLayout.JAVA_BYTE, at) & (1 << bit)) == 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Sets the k bits of an id in a table being written (the same addressing as {@link #mayContain}). */
    static void add(MemorySegment map, int bits, int k, MemorySegment ids, long idAt) {
        for (int j = 0; j < k; j++) {
            long at;
            int bit;
            if (k == 5) {
                long w = ids.get(PackIndexFile.BE_INT, idAt + 4 * j) & 0xffffffffL;
                at = HEADER + (w >>> (32 - bits));
                bit = (int) (w >>> (29 - bits)) & 7;
            } else {
                long w = (ids.get(PackIndexFile.BE_INT, idAt + 5 * j) & 0xffffffffL) << 8
                        | ids.get(ValueLayout.JAVA_BYTE, idAt + 5 * j + 4) & 0xff;
                at = HEADER + (w >>> (40 - bits));
                bit = (int) (w >>> (37 - bits)) & 7;
            }
            map.set(ValueLayout.JAVA_BYTE, at, (byte) (map.get(ValueLayout.JAVA_BYTE, at) | (1 << bit)));
        }
    }

    private static long word40(byte[] id, int off) {
        return (Integer.toUnsignedLong((int) PackIndexFile.BYTES_BE_INT.get(id, off)) << 8) | (id[off + 4] & 0xff);
    }

    @Override
    public void close() {
        arena.close();
    }
}
