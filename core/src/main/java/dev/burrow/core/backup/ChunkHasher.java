package dev.burrow.core.backup;

import dev.burrow.core.hash.Sha1Hasher;
import dev.burrow.core.hash.Sha1Hashers;
import dev.burrow.core.split.SampleEntropy;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectInserter;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.zlib.Compressor;
import dev.burrow.core.zlib.Zlib;
import java.util.zip.Adler32;

/**
 * A worker's part of the save: the object id of every chunk of a batch, whether the repository already
 * has it, and if not, its compressed form. One instance per worker thread; it reuses its digest, compressor
 * ({@link Zlib}: libdeflate where available) and scratch arrays, so a batch allocates nothing.
 *
 * <p><b>Which chunks are compressed.</b> Deflate at level 1 runs at about 60–90 MiB/s per core with the
 * JDK's zlib, 150–260 MiB/s with libdeflate and about 350 MiB/s on text with ISA-L, still several times slower
 * than SHA-1, and gains nothing on
 * data that is already compressed or encrypted. So a chunk of 1 KiB or more whose order-0 entropy,
 * estimated from 1 KiB sampled in four runs across the chunk ({@link SampleEntropy}: native code where the chunker's
 * library is loaded), is above {@value #STORE_ABOVE_BITS} bits per
 * byte is stored (zlib stored blocks, what level 0 writes, read by every zlib reader). Huffman coding could
 * save at most about 6% on such a chunk. Everything else is deflated at the requested level, and stored
 * after all if deflate does not make it smaller. The rule depends only on the chunk's bytes, so the same
 * input always gives the same choices.
 */
final class ChunkHasher {
    static final double STORE_ABOVE_BITS = 7.5;

    private final ObjectInserter inserter;
    private final int level;
    private final Sha1Hasher sha1 = Sha1Hashers.create();
    private final Compressor compressor;
    private final Adler32 adler = new Adler32();
    private final byte[] header = new byte[32];
    private final SampleEntropy sample = new SampleEntropy();

    ChunkHasher(ObjectInserter inserter, int level) {
        this.inserter = inserter;
        this.level = level;
        compressor = level == 0 ? null : Zlib.compressor(level);
    }

    void process(ChunkBatch b) {
        int zfill = 0;
        for (int i = 0; i < b.count; i++) {
            if (b.kinds[i] != ChunkBatch.CHUNK) {
                continue;
            }
            byte[] data = b.blocks[i].data;
            int off = b.offs[i];
            int len = b.lens[i];
            blobId(data, off, len, b.ids, i * ObjectId.LENGTH);
            if (inserter.existsInRepository(b.ids, i * ObjectId.LENGTH)) {
                b.how[i] = ChunkBatch.KNOWN;
                continue;
            }
            int z = compressor == null || looksIncompressible(data, off, len) ? -1
                    : deflate(data, off, len, b.out, zfill);
            if (z < 0) {
                b.how[i] = ChunkBatch.STORED;
                b.adlers[i] = Zlib.adler32(data, off, len, adler);
            } else {
                b.how[i] = ChunkBatch.DEFLATED;
                b.zoffs[i] = zfill;
                b.zlens[i] = z;
                zfill += z;
            }
        }
    }

    private void blobId(byte[] data, int off, int len, byte[] out, int outOff) {
        int h = ObjectType.BLOB.header(len, header);
        sha1.update(header, 0, h);
        sha1.update(data, off, len);
        sha1.digest(out, outOff);
    }

    /** Deflates into {@code out[at, at+len)}; returns the zlib stream's length, or -1 if it is not shorter. */
    private int deflate(byte[] data, int off, int len, byte[] out, int at) {
        return len == 0 ? -1 : compressor.compress(data, off, len, out, at, len - 1);
    }

    /** The entropy rule of the class comment. */
    boolean looksIncompressible(byte[] data, int off, int len) {
        return len >= SampleEntropy.SAMPLE && sample.bits(data, off, len) > STORE_ABOVE_BITS;
    }

    void end() {
        if (compressor != null) {
            compressor.close();
        }
    }
}
