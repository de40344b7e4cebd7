package dev.burrow.app.cli;

import dev.burrow.core.browse.NoSuchPathException;
import dev.burrow.core.browse.Vfs;
import dev.burrow.core.browse.VfsNode;
import dev.burrow.core.meta.Metadata;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code burrow ls}: lists the repository's virtual file system as {@code bup ls} does, one entry a line. The root
 * holds the backup sets (branches); each holds its snapshots by date and {@code latest}.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List backup sets, snapshots, and the files in them.")
final class LsCommand implements Callable<Integer> {
    /*
     * Lines are built from raw name bytes decoded as ISO-8859-1 (one char per byte) and written back the same way,
     * so names that are not UTF-8 come out byte for byte, as bup prints them.
     */
    private static final Comparator<Named> BY_RAW_NAME = Comparator.comparing(Named::name,
            (a, b) -> Arrays.compareUnsigned(raw(a), raw(b)));

    private static final int MAX_SYMLINK_HOPS = 100;
    private static final byte[] LATEST = "latest".getBytes(StandardCharsets.US_ASCII);

    @ParentCommand
    BurrowCommand parent;

    @Option(names = "-l", description = "Long listing: mode, user/group, size, date.")
    boolean longFormat;

    @Option(names = {"-a", "--all"}, description = "Show hidden entries, including . and ..")
    boolean all;

    @Option(names = {"-n", "--numeric-ids"}, description = "Show numeric user and group ids.")
    boolean numericIds;

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "What to list (default: /).")
    List<String> paths = new ArrayList<>();

    private Vfs vfs;

    @Override
    public Integer call() throws IOException {
        Repository repo = parent.openRepository();
        List<String> targets = paths.isEmpty() ? List.of("/") : paths;
        PrintStream out = parent.context().out();
        try (ObjectReader reader = repo.newReader()) {
            vfs = new Vfs(repo, reader);
            for (int i = 0; i < targets.size(); i++) {
                String path = targets.get(i);
                if (targets.size() > 1) {
                    out.println(path + ":");
                }
                list(path, out);
                if (i < targets.size() - 1) {
                    out.println();
                }
            }
        }
        out.flush();
        return 0;
    }

    private void list(String path, PrintStream out) throws IOException {
        VfsNode node = vfs.resolve(path);
        node = followIfPossible(node);
        if (!node.kind().isContainer()) {
            // bup prints the path as given, normalised (os.path.normpath).
            print(out, line(node, latin1(Path.of(path).normalize().toString().getBytes(StandardCharsets.UTF_8))));
            return;
        }
        List<Named> children = new ArrayList<>();
        for (VfsNode child : vfs.list(node)) {
            children.add(new Named(latin1(child.name()), child));
        }
        if (all) {
            // Like bup (and ls -a), '.' is the directory itself and '..' its parent; the root is its own parent.
            children.add(new Named(".", node));
            Path parentPath = Path.of(node.path()).getParent();
            children.add(new Named("..", parentPath == null ? node : vfs.resolve(parentPath.toString())));
        }
        children.sort(BY_RAW_NAME);
        for (Named child : children) {
            if (all || !child.name().startsWith(".")) {
                print(out, line(child.node(), child.name()));
            }
        }
    }

    /**
     * Like bup's {@code try_resolve}: a symlink named on the command line is followed (an absolute target from the
     * VFS root, as bup does), unless the chain dangles, in which case the link itself is shown.
     */
    private VfsNode followIfPossible(VfsNode node) throws IOException {
        VfsNode current = node;
        for (int hops = 0; current.kind() == VfsNode.Kind.SYMLINK; hops++) {
            if (hops == MAX_SYMLINK_HOPS) {
                return node;
            }
            String target = new String(current.symlinkTarget(), StandardCharsets.UTF_8);
            Path parentPath = Path.of(current.path()).getParent();
            String next = target.startsWith("/") || parentPath == null ? target : parentPath + "/" + target;
            try {
                current = vfs.resolve(next);
            } catch (NoSuchPathException e) {
                return node;
            }
        }
        return current;
    }

    private record Named(String name, VfsNode node) { }

    private String line(VfsNode node, String name) throws IOException {
        return longFormat ? LsFormat.longLine(entry(node, name), numericIds, parent.context().clock().getZone())
                : name;
    }

    /** What bup shows for a node: its .bupm metadata, or for items without any, bup's made-up defaults. */
    private LsEntry entry(VfsNode node, String name) throws IOException {
        if (isLatest(node) && name.equals("latest")) {
            // In its set's listing bup shows 'latest' as a symlink to the newest snapshot, without metadata;
            // as '.' or '..' it is the snapshot itself.
            String target = node.snapshotName();
            return new LsEntry(name, VfsNode.DEFAULT_SYMLINK_MODE, "", "", null, null, target.length(), 0,
                    Instant.EPOCH, target);
        }
        Metadata m = metadata(node);
        String target = node.symlinkTarget() == null ? null : latin1(node.symlinkTarget());
        if (m.isEmpty()) {
            return new LsEntry(name, node.mode(), "", "", null, null, node.size(), 0, Instant.EPOCH, target);
        }
        long mtimeSeconds = Math.floorDiv(m.mtimeNanos(), 1_000_000_000L);
        return new LsEntry(name, m.mode(), latin1(m.userBytes()), latin1(m.groupBytes()), m.uid(), m.gid(),
                node.size(), m.rdev(), Instant.ofEpochSecond(mtimeSeconds), target);
    }

    private static boolean isLatest(VfsNode node) {
        return node.kind() == VfsNode.Kind.SNAPSHOT && node.snapshotName() != null
                && Arrays.equals(node.name(), LATEST) && node.path().lastIndexOf('/') > 0
                && node.path().indexOf('/', 1) == node.path().lastIndexOf('/');
    }

    private Metadata metadata(VfsNode node) throws IOException {
        if (node.kind() == VfsNode.Kind.BRANCH) {
            // bup shows a backup set with the metadata of its newest snapshot's root.
            return vfs.metadata(vfs.resolve(node.path() + "/latest"));
        }
        return vfs.metadata(node);
    }

    private static void print(PrintStream out, String line) {
        out.write(raw(line), 0, line.length());
        out.write('\n');
    }

    private static String latin1(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    private static byte[] raw(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}
