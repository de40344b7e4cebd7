package dev.burrow.core.split;

import dev.burrow.core.spi.Chunker;
import java.util.ServiceLoader;

/**
 * Picks the chunker: the first one found through {@link ServiceLoader} that can run here (the native one when its
 * library loads), unless the system property {@code burrow.chunker=java} forces the pure-Java fallback. All give
 * identical boundaries.
 */
public final class Chunkers {
    /** Set to {@code java} to force the pure-Java chunker. */
    public static final String PROPERTY = "burrow.chunker";

    private static final Choice CHOICE = choose();

    private record Choice(Chunker chunker, String description) { }

    private Chunkers() { }

    public static Chunker best() {
        return CHOICE.chunker();
    }

    /**
     * Which chunker {@link #best()} is and why, for {@code burrow --version}: for example
     * {@code native (AVX2, libburrowchunk.so)} or {@code java (forced by -Dburrow.chunker=java)}.
     */
    public static String description() {
        return CHOICE.description();
    }

    private static Choice choose() {
        if ("java".equals(System.getProperty(PROPERTY))) {
            return new Choice(JavaChunker.INSTANCE, "java (forced by -D" + PROPERTY + "=java)");
        }
        String why = "no native chunker installed";
        for (Chunker c : ServiceLoader.load(Chunker.class)) {
            String cause = c.unavailabilityCause();
            if (cause == null) {
                return new Choice(c, c.description());
            }
            why = cause;
        }
        return new Choice(JavaChunker.INSTANCE, "java (" + why + ")");
    }
}
