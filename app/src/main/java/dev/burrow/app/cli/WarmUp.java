package dev.burrow.app.cli;

import dev.burrow.core.hash.Sha1Hashers;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.zlib.Zlib;
import java.time.ZoneId;
import java.util.Set;

/**
 * Loads what a repository command will need (the native libraries it uses, bound and self-checked, and the time
 * zone) on a second thread while the first parses the command line: each takes tens of milliseconds of a JVM's
 * start, in the interpreter, and the command would otherwise load them one after the other once parsed.
 */
final class WarmUp {
    private static final Set<String> WRITERS = Set.of("save", "split");
    private static final Set<String> READERS = Set.of("ls", "restore", "join", "fsck");

    private WarmUp() { }

    /** Starts the warm-up when {@code command} (null when none is named) reads or writes objects. */
    static void startFor(String command) {
        if (command == null) {
            return;
        }
        if (WRITERS.contains(command)) {
            start(WarmUp::loadForWriting);
        } else if (READERS.contains(command)) {
            start(WarmUp::loadForReading);
        }
    }

    private static void start(Runnable load) {
        Thread.ofPlatform().name("burrow-warm-up").daemon().start(() -> {
            try {
                load.run();
            } catch (RuntimeException | LinkageError e) {
                // The command meets the same failure where it needs the class, and reports it there.
            }
        });
    }

    /** Compression (ISA-L at level 1, else libdeflate), SHA-1, the chunker, and the zone for the commit date. */
    private static void loadForWriting() {
        if (!Zlib.usesIsal()) {
            Zlib.usesLibdeflate();
        }
        Sha1Hashers.description();
        Chunkers.description();
        ZoneId.systemDefault();
    }

    /** Decompression, SHA-1 (fsck, restore's checks), and the zone for listings. */
    private static void loadForReading() {
        Zlib.usesLibdeflate();
        Sha1Hashers.description();
        ZoneId.systemDefault();
    }
}
