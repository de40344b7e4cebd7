package dev.burrow.app.cli;

import dev.burrow.core.hash.Sha1Hashers;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.zlib.Zlib;
import java.time.ZoneId;
import java.util.Set;

/**
 * Loads what a repository command will need (the native libraries, bound and self-checked, and the time zone) on a
 * second thread while the first parses the command line. Both take a JVM's first ~0.2 s, in the interpreter: one
 * after the other they delayed a save's first read by that much; side by side, on the two cores, by about half.
 */
final class WarmUp {
    private static final Set<String> USERS = Set.of("save", "split", "ls", "restore", "join", "fsck");

    private WarmUp() { }

    /** Starts the warm-up when {@code command} (null when none is named) reads or writes objects. */
    static void startFor(String command) {
        if (command != null && USERS.contains(command)) {
            Thread.ofPlatform().name("burrow-warm-up").daemon().start(WarmUp::load);
        }
    }

    private static void load() {
        try {
            Zlib.description();
            Sha1Hashers.description();
            Chunkers.description();
            ZoneId.systemDefault();
        } catch (RuntimeException | LinkageError e) {
            // The command meets the same failure where it needs the class, and reports it there.
        }
    }
}
