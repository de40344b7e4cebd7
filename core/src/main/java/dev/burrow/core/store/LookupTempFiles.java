package dev.burrow.core.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temp files for midx and bloom files being written in {@code objects/pack}, named
 * {@code burrow-<pid>-<kind>-<random>.tmp} so that those of killed processes can be recognised and removed.
 * Neither bup nor git reads them ({@code *.tmp} matches no pattern they look for).
 */
final class LookupTempFiles {
    private LookupTempFiles() { }

    /** Creates a new empty temp file with the umask's permissions, like bup's files (not 0600). */
    static Path create(Path dir, String kind) throws IOException {
        String prefix = "burrow-" + ProcessHandle.current().pid() + "-" + kind + "-";
        while (true) {
            Path p = dir.resolve(prefix + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                // Another random name.
            }
        }
    }

    /** Deletes temp files left by Burrow processes that no longer run. */
    static void removeStale(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "burrow-*.tmp")) {
            for (Path f : files) {
                String[] parts = f.getFileName().toString().split("-");
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (RuntimeException e) {
                    continue;   // Not one of ours.
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
