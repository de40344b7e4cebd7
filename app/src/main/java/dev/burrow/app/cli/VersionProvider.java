package dev.burrow.app.cli;

import dev.burrow.core.hash.Sha1Hashers;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.zlib.Zlib;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code burrow --version}: Burrow's version, the Java runtime it runs on, and the chunker, zlib and SHA-1 in use and why. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        Runtime.Version java = Runtime.version();
        return new String[] {
                "burrow " + burrowVersion(),
                "Java " + java + " (" + System.getProperty("java.vendor") + "), " + System.getProperty("os.name")
                        + " " + System.getProperty("os.arch"),
                "chunker: " + Chunkers.description(),
                "zlib: " + Zlib.description(),
                "sha1: " + Sha1Hashers.description(),
        };
    }

    static String burrowVersion() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("/dev/burrow/app/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
