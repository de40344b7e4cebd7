package dev.burrow.core.hash;

/**
 * Picks the SHA-1 implementation: the native one when its library loads and passes its self-test, else the JDK's;
 * the system property {@code burrow.sha1=jdk} forces the JDK's. Both give the same digests.
 */
public final class Sha1Hashers {
    /** Set to {@code jdk} to force the JDK's SHA-1. */
    public static final String PROPERTY = "burrow.sha1";

    private static final Choice CHOICE = choose();

    private record Choice(boolean useNative, String description) { }

    private Sha1Hashers() { }

    /** A new hasher with the chosen implementation. */
    public static Sha1Hasher create() {
        return CHOICE.useNative() ? new NativeSha1() : new JdkSha1();
    }

    /** The JDK's hasher whatever is chosen, for comparisons. */
    public static Sha1Hasher jdk() {
        return new JdkSha1();
    }

    /**
     * Which implementation {@link #create()} uses and why, for {@code burrow --version}: for example
     * {@code native (SHA-NI, libburrowsha1.so)} or {@code jdk (forced by -Dburrow.sha1=jdk)}.
     */
    public static String description() {
        return CHOICE.description();
    }

    private static Choice choose() {
        if ("jdk".equals(System.getProperty(PROPERTY))) {
            return new Choice(false, "jdk (forced by -D" + PROPERTY + "=jdk)");
        }
        String cause = NativeSha1.unavailabilityCause();
        if (cause != null) {
            return new Choice(false, "jdk (" + cause + ")");
        }
        return new Choice(true, "native (" + NativeSha1.isaName(NativeSha1.bestIsa()) + ", "
                + NativeSha1.LIBRARY_NAME + ")");
    }
}
