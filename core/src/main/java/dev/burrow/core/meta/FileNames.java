package dev.burrow.core.meta;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The raw bytes of file names. Git and bup store names as bytes; Java decodes them with the platform
 * encoding and replaces undecodable bytes with U+FFFD. The file URI of a path keeps the raw bytes
 * percent-encoded, so names that do not decode are read back from it; and a path built from a file URI
 * holds exactly the bytes it names, so such names can be created too.
 */
public final class FileNames {
    private FileNames() { }

    /** The raw bytes of a path's last component. */
    public static byte[] nameBytes(Path path) {
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

    /** The raw bytes of a whole path. */
    public static byte[] pathBytes(Path absolute) {
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

    /**
     * {@code dir/name} for a raw name, exact even when the name is not valid UTF-8.
     *
     * @throws IllegalArgumentException if the name is empty, {@code .}, {@code ..} or holds {@code /} or NUL
     */
    public static Path resolve(Path dir, byte[] name) {
        String text = decodeStrict(name);
        if (name.length == 0 || ".".equals(text) || "..".equals(text)) {
            throw new IllegalArgumentException("unsafe file name '" + text + "'");
        }
        for (byte b : name) {
            if (b == '/' || b == 0) {
                throw new IllegalArgumentException("unsafe file name '" + new String(name, StandardCharsets.UTF_8) + "'");
            }
        }
        if (text != null) {
            return dir.resolve(text);
        }
        StringBuilder uri = new StringBuilder(dir.toAbsolutePath().toUri().getRawPath());
        if (uri.charAt(uri.length() - 1) != '/') {
            uri.append('/');
        }
        for (byte b : name) {
            int c = b & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                uri.append((char) c);
            } else {
                uri.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return Path.of(URI.create("file://" + uri));
    }

    /** The name as text, or null when it is not valid UTF-8. */
    public static String decodeStrict(byte[] name) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(name)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
