package dev.burrow.core.split;

import dev.burrow.core.spi.Chunker;
import java.util.ServiceLoader;

/**
 * Picks the chunker: a native one found through {@link ServiceLoader} unless the system property
 * {@code burrow.chunker=java} forces the pure-Java fallback. All give identical boundaries.
 */
public final class Chunkers {
    /** Set to {@code java} to force the pure-Java chunker. */
    public static final String PROPERTY = "burrow.chunker";

    private static final Chunker BEST = choose();

    private Chunkers() { }

    public static Chunker best() {
        return BEST;
    }

    /** Why {@link #best()} is what it is, for {@code burrow --version}. */
    public static String description() {
        if (BEST instanceof JavaChunker) {
            if ("java".equals(System.getProperty(PROPERTY))) {
                return "java (forced by -D" + PROPERTY + "=java)";
            }
            return "java (no native chunker installed)";
        }
        return BEST.name();
    }

    private static Chunker choose() {
        if ("java".equals(System.getProperty(PROPERTY))) {
            return JavaChunker.INSTANCE;
        }
        for (Chunker c : ServiceLoader.load(Chunker.class)) {
            return c;
        }
        return JavaChunker.INSTANCE;
    }
}
