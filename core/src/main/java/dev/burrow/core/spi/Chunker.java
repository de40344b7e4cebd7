package dev.burrow.core.spi;

/**
 * Finds content-defined chunk boundaries with bup's rolling checksum (64-byte window, 13 split bits).
 *
 * <p>Implementations (the pure-Java one in core, a native one in {@code native}) must give identical
 * results. They are stateless and thread safe; the hot loop allocates nothing.
 */
public interface Chunker {
    /**
     * Scans {@code buf} with a fresh rolling checksum that starts at {@code start}. Bytes in
     * {@code [start, from)} are fed without testing; bytes in {@code [from, to)} are fed and tested.
     * A boundary falls right after a byte whose digest has its low 13 bits set.
     *
     * <p>Because the checksum only depends on the last 64 bytes once 64 bytes have been fed,
     * {@code scan(buf, p - 64, p, to)} tests exactly the positions a scan from any {@code start <= p - 64}
     * would test from {@code p} on; the splitter relies on this to skip ranges it already knows.
     *
     * @return -1 if there is no boundary, else {@code (level << 32) | end} where {@code end} is the index
     *         just past the boundary byte and {@code level} is bup's fanout level (trailing one bits of the
     *         digest above bit 13, divided by 4)
     */
    long scan(byte[] buf, int start, int from, int to);

    /** A short name for diagnostics, e.g. {@code java} or {@code native-avx2}. */
    String name();

    /**
     * Why this chunker cannot run in this JVM (for example, its library is not built for this platform), or
     * {@code null} when it can. The chooser skips chunkers that cannot run and reports the reason.
     */
    default String unavailabilityCause() {
        return null;
    }

    /** One line saying what this chunker is, for {@code burrow --version}, e.g. {@code native (AVX2, libx.so)}. */
    default String description() {
        return name();
    }

    /** The end offset encoded in a {@link #scan} result. */
    static int end(long result) {
        return (int) result;
    }

    /** The level encoded in a {@link #scan} result. */
    static int level(long result) {
        return (int) (result >>> 32);
    }
}
