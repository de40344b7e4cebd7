package dev.burrow.core.tunnel.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes capture tables left by Burrow processes that are gone. Owned tables never outlive their process;
 * this is for the fallback without {@code flags owner}, and for a table of a crashed process whose nft child
 * somehow survived. Tables are named {@code burrow_<pid>_<port>}.
 */
final class StaleTables {
    private static final System.Logger LOG = System.getLogger(StaleTables.class.getName());
    static final String PREFIX = "burrow_";
    private static final Pattern NAME = Pattern.compile("table inet (" + PREFIX + "([0-9]+)_[0-9]+)");

    private StaleTables() {
    }

    static String tableName(long pid, int port) {
        return PREFIX + pid + "_" + port;
    }

    /** Deletes every {@code burrow_<pid>_*} table whose pid is not a live process. Returns the names deleted. */
    static List<String> sweep() throws CaptureException {
        String nft = NftTable.findNft();
        String listing;
        boolean listed;
        try {
            Process p = new ProcessBuilder(nft, "list", "tables").redirectErrorStream(true).start();
            listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            listed = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            throw new CaptureException("cannot run " + nft + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("interrupted while listing nft tables", e);
        }
        if (!listed) {
            if (listing.contains("Operation not permitted")) {
                throw new CaptureException("installing capture rules needs root (CAP_NET_ADMIN): run burrow"
                        + " tunnel as root, or use --method socks");
            }
            throw new CaptureException("nft list tables failed: " + listing.strip());
        }
        List<String> deleted = new ArrayList<>();
        Matcher m = NAME.matcher(listing);
        while (m.find()) {
            long pid = Long.parseLong(m.group(2));
            if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "removing capture table {0} of a process that is gone",
                        m.group(1));
                NftTable.deleteWithOneShotNft(m.group(1));
                deleted.add(m.group(1));
            }
        }
        return deleted;
    }
}
