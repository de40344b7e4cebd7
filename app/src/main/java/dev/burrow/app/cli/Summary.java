package dev.burrow.app.cli;

import dev.burrow.core.backup.SaveResult;
import dev.burrow.core.backup.SplitResult;
import dev.burrow.core.check.FsckReport;
import dev.burrow.core.restore.RestoreResult;
import java.time.Duration;

/** The one-line summaries each command prints on stderr when it ends. */
final class Summary {
    /** Hex digits of an id shown in summaries; stdout gets full ids. */
    static final int ID_DIGITS = 12;

    private Summary() { }

    static String save(SaveResult r, Duration elapsed) {
        StringBuilder s = new StringBuilder("saved ").append(files(r.files())).append(", ")
                .append(amount(r.bytes(), elapsed)).append(", ").append(HumanUnits.bytes(r.newBytes())).append(" new");
        if (r.skipped() > 0) {
            s.append(", ").append(HumanUnits.count(r.skipped())).append(" skipped (see warnings above)");
        }
        return s.append("; commit ").append(r.commit().abbreviate(ID_DIGITS)).toString();
    }

    static String split(SplitResult r, Duration elapsed) {
        String s = "split " + amount(r.bytes(), elapsed);
        return r.commit() != null ? s + "; commit " + r.commit().abbreviate(ID_DIGITS)
                : s + "; tree " + r.tree().abbreviate(ID_DIGITS);
    }

    static String restore(RestoreResult r, Duration elapsed) {
        String s = "restored " + files(r.files()) + ", " + amount(r.bytes(), elapsed);
        return r.warnings() > 0 ? s + ", " + HumanUnits.count(r.warnings()) + " warnings (see above)" : s;
    }

    static String join(long bytes, Duration elapsed) {
        return "joined " + amount(bytes, elapsed);
    }

    static String fsck(FsckReport r, Duration elapsed) {
        String s = "checked " + HumanUnits.count(r.objects()) + " objects in " + HumanUnits.count(r.packs())
                + (r.packs() == 1 ? " pack" : " packs") + " in " + HumanUnits.duration(elapsed);
        int problems = r.problems().size();
        return problems == 0 ? s + ": no problems" : s + ": " + problems + (problems == 1 ? " problem" : " problems");
    }

    private static String files(long n) {
        return HumanUnits.count(n) + (n == 1 ? " file" : " files");
    }

    /** {@code 5.6 GB in 12.3 s (456 MB/s)}. */
    private static String amount(long bytes, Duration elapsed) {
        return HumanUnits.bytes(bytes) + " in " + HumanUnits.duration(elapsed) + " (" + HumanUnits.rate(bytes, elapsed)
                + ")";
    }
}
