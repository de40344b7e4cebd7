package dev.burrow.core.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A bup-compatible repository: a bare git repository whose objects live only in packfiles.
 *
 * <p>This class owns the layout (directories, config, refs). Objects are written through
 * {@link #newInserter()} and read through {@link #newReader()}. Thread safe: it holds no mutable
 * state besides the files themselves; ref updates are compare-and-swap through git's lock-file
 * protocol, so concurrent Burrow, bup and git processes see each ref move atomically.
 */
public final class Repository {
    private final Path directory;

    private Repository(Path directory) {
        this.directory = directory;
    }

    /**
     * Creates a bare repository at {@code dir} as {@code bup init} does, or opens it if it is already one.
     *
     * @throws NotARepositoryException if {@code dir} exists, is not empty and is not a repository
     */
    public static Repository init(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (isRepository(abs)) {
            return new Repository(abs);
        }
        if (Files.exists(abs) && (!Files.isDirectory(abs) || !isEmptyDirectory(abs))) {
            throw new NotARepositoryException(abs, "exists and is not an empty directory or a git repository;"
                    + " choose another path");
        }
        Files.createDirectories(abs);
        for (String sub : List.of("objects/pack", "objects/info", "refs/heads", "refs/tags", "info", "hooks")) {
            Files.createDirectories(abs.resolve(sub));
        }
        writeIfAbsent(abs.resolve("HEAD"), "ref: refs/heads/main\n");
        writeIfAbsent(abs.resolve("description"), "Burrow backup repository (bup format)\n");
        writeIfAbsent(abs.resolve("config"), """
                [core]
                \trepositoryformatversion = 0
                \tfilemode = true
                \tbare = true
                \tlogAllRefUpdates = true
                [pack]
                \tindexVersion = 2
                """);
        return new Repository(abs);
    }

    /**
     * Opens an existing repository.
     *
     * @throws NotARepositoryException if {@code dir} is missing or is not a bare git repository
     */
    public static Repository open(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            throw new NotARepositoryException(abs, "no such directory; create a repository with 'burrow -d "
                    + abs + " init'");
        }
        if (!isRepository(abs)) {
            throw new NotARepositoryException(abs, "not a Burrow/bup repository (no objects/, refs/ or HEAD);"
                    + " create one with 'burrow -d DIR init' in an empty directory");
        }
        return new Repository(abs);
    }

    private static boolean isRepository(Path dir) {
        return Files.isDirectory(dir.resolve("objects")) && Files.isDirectory(dir.resolve("refs"))
                && Files.isRegularFile(dir.resolve("HEAD"));
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    private static void writeIfAbsent(Path file, String text) throws IOException {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            // A concurrent init got there first; its content is the same.
        }
    }

    /** The repository directory (absolute). */
    public Path directory() {
        return directory;
    }

    /** {@code objects/pack}. */
    public Path packDirectory() {
        return directory.resolve("objects").resolve("pack");
    }

    /** A new reader; close it when done. Not thread safe; use one per thread. */
    public ObjectReader newReader() throws IOException {
        return new ObjectReader(this);
    }

    /** A new inserter that writes one or more packs; close it to discard what was not flushed. */
    public ObjectInserter newInserter() throws IOException {
        return new ObjectInserter(this);
    }

    /**
     * Brings the pack directory's lookup files up to date, as bup does after writing a pack ({@code bup midx
     * --auto}, then {@code bup bloom}): merges idx files into a {@code .midx} once there are more than five
     * idx and midx files, and adds new idx files to {@code bup.bloom} (or rebuilds it). Call once a save's
     * packs are flushed; the next {@link #newInserter()} then looks objects up through them. Both files are
     * caches in bup's format, written to a temp file and renamed, so bup reads them and a crash at any point
     * leaves the repository correct. Blocks on file I/O; streams over the mapped idx files, so the heap does
     * not grow with the repository. Safe to run while other processes read or write the repository.
     */
    public void refreshLookupFiles() throws IOException {
        LookupTempFiles.removeStale(packDirectory());
        MidxWriter.auto(packDirectory());
        BloomWriter.update(packDirectory());
    }

    /**
     * The object a ref points at, from its loose file or from {@code packed-refs}.
     *
     * @param ref a full ref name such as {@code refs/heads/NAME}
     */
    public Optional<ObjectId> readRef(String ref) throws IOException {
        checkRefName(ref);
        Path loose = directory.resolve(ref);
        try {
            String text = Files.readString(loose, StandardCharsets.US_ASCII).trim();
            if (text.startsWith("ref: ")) {
                return readRef(text.substring(5).trim());
            }
            return Optional.of(ObjectId.fromHex(text));
        } catch (NoSuchFileException e) {
            return Optional.ofNullable(packedRefs().get(ref));
        }
    }

    /** All refs under {@code prefix} (e.g. {@code refs/heads/}), sorted by name, loose refs winning. */
    public TreeMap<String, ObjectId> refs(String prefix) throws IOException {
        TreeMap<String, ObjectId> out = new TreeMap<>();
        packedRefs().forEach((name, id) -> {
            if (name.startsWith(prefix)) {
                out.put(name, id);
            }
        });
        Path base = directory;
        Path start = directory.resolve(prefix);
        if (Files.isDirectory(start)) {
            List<Path> files = new ArrayList<>();
            try (var walk = Files.walk(start)) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            }
            for (Path f : files) {
                String name = base.relativize(f).toString().replace('\\', '/');
                if (name.endsWith(".lock")) {
                    continue;
                }
                String text = Files.readString(f, StandardCharsets.US_ASCII).trim();
                if (ObjectId.isHex(text)) {
                    out.put(name, ObjectId.fromHex(text));
                }
            }
        }
        return out;
    }

    private TreeMap<String, ObjectId> packedRefs() throws IOException {
        TreeMap<String, ObjectId> refs = new TreeMap<>();
        Path packed = directory.resolve("packed-refs");
        List<String> lines;
        try {
            lines = Files.readAllLines(packed, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return refs;
        }
        for (String line : lines) {
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("^")) {
                continue;
            }
            int sp = line.indexOf(' ');
            if (sp == 40 && ObjectId.isHex(line.substring(0, 40))) {
                refs.put(line.substring(41), ObjectId.fromHex(line.substring(0, 40)));
            }
        }
        return refs;
    }

    /**
     * Moves {@code ref} from {@code expected} (empty: the ref must not exist) to {@code newId}, atomically:
     * git's lock-file protocol, fsync, then rename. Call only after the objects it refers to are durable.
     *
     * @throws RefUpdateRejectedException if the ref changed meanwhile or another writer holds its lock
     */
    public void updateRef(String ref, Optional<ObjectId> expected, ObjectId newId) throws IOException {
        checkRefName(ref);
        Path target = directory.resolve(ref);
        Files.createDirectories(target.getParent());
        Path lock = target.resolveSibling(target.getFileName() + ".lock");
        try {
            Files.write(lock, (newId.name() + "\n").getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (FileAlreadyExistsException e) {
            throw new RefUpdateRejectedException(ref, "is locked by another writer (" + lock
                    + " exists); if no other backup is running, delete that file and retry");
        }
        boolean moved = false;
        try {
            Optional<ObjectId> current = readRef(ref);
            if (!current.equals(expected)) {
                throw new RefUpdateRejectedException(ref, "changed during the operation (now "
                        + current.map(ObjectId::name).orElse("absent") + "); run the command again");
            }
            Files.move(lock, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            Durability.syncDirectory(target.getParent());
        } finally {
            if (!moved) {
                Files.deleteIfExists(lock);
            }
        }
    }

    static void checkRefName(String ref) {
        if (!ref.startsWith("refs/") || ref.contains("..") || ref.contains("//") || ref.endsWith("/")
                || ref.endsWith(".lock") || ref.contains("\\") || ref.chars().anyMatch(c -> c < 0x20
                || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*'
                || c == '[') || ref.contains("@{") || ref.contains("/.")) {
            throw new IllegalArgumentException("invalid ref name: " + ref);
        }
    }

    /** True when {@code name} is usable as a backup set name ({@code refs/heads/NAME}). */
    public static boolean isValidBranchName(String name) {
        try {
            checkRefName("refs/heads/" + name);
            return !name.isEmpty() && !name.startsWith(".") && !name.startsWith("-");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
