package dev.burrow.core.backup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The raw bytes of file names. Git and bup store names as bytes; Java decodes them with the platform
 * encoding and replaces undecodable bytes with U+FFFD. The file URI of a path keeps the raw bytes
 * percent-encoded, so names that do not decode are read back from it.
 */
final class PathNames {
    private PathNames() { }

    static byte[] nameBytes(Path path) {
        String name = path.getFileName().toString();
        if (name.indexOf('\uFFFD') < 0) {
            return name.getBytes(StandardCharsets.UTF_8);
        }
        String raw = path.toUri().getRawPath();
        if (raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return percentDecode(raw.substring(raw.lastIndexOf('/') + 1));
    }

    static byte[] pathBytes(Path absolute) {
        String s = absolute.toString();
        if (s.indexOf('\uFFFD') < 0) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        String raw = absolute.toUri().getRawPath();
        if (raw.length() > 1 && raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return percentDecode(raw);
    }

    private static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
