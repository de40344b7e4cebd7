package dev.burrow.core.check;

import java.util.List;

/**
 * What {@link Fsck} found.
 *
 * @param objects  pack objects checked (an object stored in two packs counts twice)
 * @param packs    packs checked
 * @param problems one line per problem, naming the pack or object; empty when the repository is sound
 */
public record FsckReport(long objects, long packs, List<String> problems) {
    public FsckReport {
        if (objects < 0 || packs < 0) {
            throw new IllegalArgumentException("negative count: objects=" + objects + " packs=" + packs);
        }
        problems = List.copyOf(problems);
    }

    /** True when no problem was found. */
    public boolean isClean() {
        return problems.isEmpty();
    }
}
