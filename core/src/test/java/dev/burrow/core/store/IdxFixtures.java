package dev.burrow.core.store;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes real idx v2 files straight from ids, without packs: enough for existence lookups, {@code bup midx}
 * and {@code bup bloom}. Large ones are streamed from a seed, so a million ids need no heap.
 */
final class IdxFixtures {
    private IdxFixtures() { }

    /** The ids of a generated idx, in order: id {@code i} of {@code count} for {@code seed}. */
    static final class Ids {
        private final long seed;
        private final long count;
        private final long step;
        private SplittableRandom rnd;
        private long next;

        Ids(long seed, long count) {
            this.seed = seed;
            this.count = count;
            this.step = Long.divideUnsigned(-1L, count);
            reset();
        }

        void reset() {
            rnd = new SplittableRandom(seed);
            next = 0;
        }

        /** Writes the next id, ascending and spread over the whole id space. */
        void next(byte[] out) {
            long hi = next++ * step + (rnd.nextLong() & Long.MAX_VALUE) % step;
            long mid = rnd.nextLong();
            int lo = rnd.nextInt();
            for (int k = 0; k < 8; k++) {
                out[k] = (byte) (hi >>> (56 - 8 * k));
                out[8 + k] = (byte) (mid >>> (56 - 8 * k));
            }
            for (int k = 0; k < 4; k++) {
                out[16 + k] = (byte) (lo >>> (24 - 8 * k));
            }
        }

        long count() {
            return count;
        }
    }

    /** Writes {@code dir/pack-<hex>.idx} with {@code count} ids from {@code seed}; returns its path. */
    static Path write(Path dir, long seed, long count) throws IOException {
        Ids ids = new Ids(seed, count);
        int[] fanout = new int[256];
        byte[] id = new byte[20];
        for (long i = 0; i < count; i++) {
            ids.next(id);
            fanout[id[0] & 0xff]++;
        }
        ids.reset();
        return write(dir, seed, fanout, count, out -> {
            for (long i = 0; i < count; i++) {
                ids.next(id);
                out.write(id);
            }
        });
    }

    /** Writes an idx holding exactly these ids (which must be sorted and distinct). */
    static Path write(Path dir, long seed, List<ObjectId> sorted) throws IOException {
        int[] fanout = new int[256];
        for (ObjectId o : sorted) {
            fanout[o.toBytes()[0] & 0xff]++;
        }
        return write(dir, seed, fanout, sorted.size(), out -> {
            for (ObjectId o : sorted) {
                out.write(o.toBytes());
            }
        });
    }

    private interface IdSource {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private static Path write(Path dir, long seed, int[] fanout, long count, IdSource ids) throws IOException {
        byte[] packSha = new byte[20];
        new SplittableRandom(seed ^ 0x5eedL).nextBytes(packSha);
        Path file = dir.resolve("pack-" + HexFormat.of().formatHex(packSha) + ".idx");
        MessageDigest md = Sha1.newDigest();
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            DataOutputStream out = new DataOutputStream(new DigestOutputStream(raw, md));
            out.writeInt(0xff744f63);
            out.writeInt(2);
            int cumulative = 0;
            for (int f : fanout) {
                cumulative += f;
                out.writeInt(cumulative);
            }
            ids.writeTo(out);
            for (long i = 0; i < count; i++) {
                out.writeInt(0);   // CRC-32 of the packed object: there is no pack.
            }
            for (long i = 0; i < count; i++) {
                out.writeInt((int) (12 + i));
            }
            out.write(packSha);
            out.flush();
            raw.write(md.digest());
        }
        return file;
    }

    /** Id {@code i} of an open idx. */
    static byte[] idAt(PackLookup f, long i) {
        byte[] id = new byte[20];
        MemorySegment.copy(f.segment(), ValueLayout.JAVA_BYTE, f.idOffset(i), id, 0, 20);
        return id;
    }
}
