package dev.burrow.app.cli;

import dev.burrow.core.browse.Vfs;
import dev.burrow.core.browse.VfsNode;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * {@code burrow ls}: lists the repository's virtual file system as {@code bup ls} does. The root holds the backup
 * sets (branches); each holds its snapshots by date and {@code latest}.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List backup sets, snapshots, and the files in them.")
final class LsCommand implements Callable<Integer> {
    private static final Comparator<String> BYTE_ORDER = Comparator.comparing(
            (String s) -> s.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

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

    @Override
    public Integer call() throws IOException {
        Repository repo = parent.openRepository();
        List<String> targets = paths.isEmpty() ? List.of("/") : paths;
        PrintStream out = parent.context().out();
        try (ObjectReader reader = repo.newReader()) {
            Vfs vfs = new Vfs(repo, reader);
            for (int i = 0; i < targets.size(); i++) {
                String path = targets.get(i);
                if (targets.size() > 1) {
                    out.println(path + ":");
                }
                list(vfs, path, out);
                if (i < targets.size() - 1) {
                    out.println();
                }
            }
        }
        out.flush();
        return 0;
    }

    private void list(Vfs vfs, String path, PrintStream out) throws IOException {
        String absolute = Path.of("/").resolve(path).normalize().toString();
        VfsNode node = vfs.resolve(absolute);
        if (!isDirectory(node)) {
            out.println(line(node, absolute));
            return;
        }
        List<Named> children = new ArrayList<>();
        for (VfsNode child : vfs.list(node)) {
            children.add(new Named(nameOf(child), child));
        }
        if (all && children.stream().noneMatch(c -> c.name().equals("."))) {
            children.add(new Named(".", node));
        }
        if (all && children.stream().noneMatch(c -> c.name().equals(".."))) {
            Path parentPath = Path.of(absolute).getParent();
            children.add(new Named("..", parentPath == null ? node : vfs.resolve(parentPath.toString())));
        }
        children.sort(Comparator.comparing(Named::name, BYTE_ORDER));
        for (Named child : children) {
            if (!all && child.name().startsWith(".")) {
                continue;
            }
            out.println(line(child.node(), child.name()));
        }
    }

    private record Named(String name, VfsNode node) { }

    private String line(VfsNode node, String name) {
        if (!longFormat) {
            return name;
        }
        return LsFormat.longLine(entry(node, name), numericIds, parent.context().clock().getZone());
    }

    // The only places that know VfsNode's shape.
    private static String nameOf(VfsNode node) {
        return node.name();
    }

    private static boolean isDirectory(VfsNode node) {
        return node.isDirectory();
    }

    private static LsEntry entry(VfsNode node, String name) {
        return new LsEntry(name, node.mode(), node.user(), node.group(), node.uid(), node.gid(),
                node.size() < 0 ? null : node.size(), 0, node.mtime(), node.symlinkTarget());
    }
}
