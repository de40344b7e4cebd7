package dev.burrow.core.backup;

/** Waiting for stopped threads in a {@code close()}, which must not give up half way when interrupted. */
final class Joins {
    private Joins() { }

    /**
     * Waits for {@code thread} to end even if the caller is interrupted meanwhile.
     *
     * @return whether the caller was interrupted while waiting (its flag is then cleared: restore it)
     */
    static boolean joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }
}
