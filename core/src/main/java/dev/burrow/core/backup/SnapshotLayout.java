package dev.burrow.core.backup;

import dev.burrow.core.meta.FileNames;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps source paths to their place in the snapshot, as bup does: {@code /home/u} becomes
 * {@code home/u} with every ancestor's real metadata, unless {@code --strip}, {@code --strip-path} or
 * {@code --graft} rewrites the prefix. Grafted-in ancestors that exist nowhere on disk get empty metadata.
 */
final class SnapshotLayout {
    private SnapshotLayout() { }

    /** Builds the plan; every source must exist. */
    static VirtualDir plan(List<Path> sources, PathRewrite rewrite) throws IOException {
        VirtualDir root = new VirtualDir(null);
        for (Path source : Saver.normalize(sources)) {
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(source.toString(), null, "no such file or directory; check the path");
            }
            place(root, source, rewrite);
        }
        return root;
    }

    private static void place(VirtualDir root, Path source, PathRewrite rewrite) {
        // Ancestors as (name in snapshot, real directory for its metadata or null), root first.
        List<byte[]> names = new ArrayList<>();
        List<Path> reals = new ArrayList<>();
        Path rootReal;
        if (rewrite.strip()) {
            rootReal = source;
        } else if (rewrite.stripPrefix() != null && source.startsWith(rewrite.stripPrefix().toAbsolutePath().normalize())) {
            Path prefix = rewrite.stripPrefix().toAbsolutePath().normalize();
            rootReal = prefix;
            addComponents(prefix, prefix.relativize(source), names, reals);
        } else {
            PathRewrite.Graft graft = rewrite.grafts().stream()
                    .filter(g -> source.startsWith(g.oldPrefix().normalize())).findFirst().orElse(null);
            if (graft != null) {
                Path oldPrefix = graft.oldPrefix().normalize();
                Path newPrefix = graft.newPrefix().normalize();
                int n = newPrefix.getNameCount();
                rootReal = n == 0 ? oldPrefix : null;
                for (int i = 0; i < n; i++) {
                    names.add(FileNames.nameBytes(newPrefix.getName(i)));
                    reals.add(i == n - 1 ? oldPrefix : null);
                }
                addComponents(oldPrefix, oldPrefix.relativize(source), names, reals);
            } else {
                Path fsRoot = source.getRoot();
                rootReal = fsRoot;
                addComponents(fsRoot, fsRoot.relativize(source), names, reals);
            }
        }
        root.setMetadataSourceIfAbsent(rootReal);
        if (names.isEmpty()) {
            if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                root.contentsOf().add(source);
            } else {
                throw new IllegalArgumentException(source + " is a file; --strip and --graft need it inside a directory");
            }
            return;
        }
        VirtualDir dir = root;
        for (int i = 0; i < names.size() - 1; i++) {
            dir = dir.child(names.get(i), reals.get(i));
        }
        byte[] last = names.getLast();
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            VirtualDir leaf = dir.child(last, source);
            leaf.setMetadataSourceIfAbsent(source);
            if (!leaf.contentsOf().contains(source)) {
                leaf.contentsOf().add(source);
            }
        } else {
            dir.files().putIfAbsent(last, source);
        }
    }

    private static void addComponents(Path base, Path rel, List<byte[]> names, List<Path> reals) {
        if (rel.toString().isEmpty()) {
            return;
        }
        Path real = base;
        for (int i = 0; i < rel.getNameCount(); i++) {
            real = real.resolve(rel.getName(i));
            names.add(FileNames.nameBytes(real));
            reals.add(real);
        }
    }

    /**
     * Total bytes of regular files and number of entries below the sources, for progress and ETA. An
     * interrupt ends the walk early (the totals are then partial).
     */
    static long[] measure(List<Path> sources) throws IOException {
        long[] totals = new long[2];
        for (Path s : Saver.normalize(sources)) {
            Files.walkFileTree(s, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        totals[0] += attrs.size();
                    }
                    totals[1]++;
                    return next();
                }

                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    totals[1]++;
                    return next();
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    // The save itself reports unreadable paths; the estimate just leaves them out.
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return totals;
    }

    private static FileVisitResult next() {
        return Thread.currentThread().isInterrupted() ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
    }
}
