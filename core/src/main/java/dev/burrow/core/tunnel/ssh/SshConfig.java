package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The part of an OpenSSH client configuration ({@code ~/.ssh/config}) a tunnel needs: {@code Host} blocks with
 * {@code HostName}, {@code User}, {@code Port} and {@code IdentityFile}. As in OpenSSH, the first value found for a
 * keyword wins, except {@code IdentityFile}, which accumulates; {@code Match} blocks are not evaluated and never
 * apply. Immutable and thread safe.
 */
public final class SshConfig {
    /** A configuration without entries. */
    public static final SshConfig EMPTY = new SshConfig(List.of(), Path.of(""));

    private record Block(List<String> patterns, List<String[]> options) { }

    private final List<Block> blocks;
    private final Path home;

    private SshConfig(List<Block> blocks, Path home) {
        this.blocks = blocks;
        this.home = home;
    }

    /**
     * What applies to one host alias.
     *
     * @param hostName      the HostName, or null
     * @param user          the User, or null
     * @param port          the Port, or 0
     * @param identityFiles IdentityFile entries in order, {@code ~} and {@code %d %u %h %r %%} expanded
     */
    public record HostSettings(String hostName, String user, int port, List<Path> identityFiles) {
        public HostSettings {
            identityFiles = List.copyOf(identityFiles);
        }
    }

    /** Reads {@code file}; a missing file is an empty configuration. {@code home} expands {@code ~}. */
    public static SshConfig read(Path file, Path home) throws IOException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), home);
        } catch (NoSuchFileException e) {
            return new SshConfig(List.of(), home);
        }
    }

    public static SshConfig parse(String text, Path home) {
        List<Block> blocks = new ArrayList<>();
        // Lines before the first Host apply to every host, like "Host *".
        Block current = new Block(List.of("*"), new ArrayList<>());
        blocks.add(current);
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] kv = splitKeyword(line);
            String keyword = kv[0].toLowerCase(Locale.ROOT);
            if (keyword.equals("host")) {
                current = new Block(List.of(kv[1].split("\\s+")), new ArrayList<>());
                blocks.add(current);
            } else if (keyword.equals("match")) {
                current = new Block(List.of(), new ArrayList<>());
                blocks.add(current);
            } else {
                current.options().add(new String[] {keyword, unquote(kv[1])});
            }
        }
        return new SshConfig(List.copyOf(blocks), home);
    }

    private static String[] splitKeyword(String line) {
        int i = 0;
        while (i < line.length() && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '=') {
            i++;
        }
        String keyword = line.substring(0, i);
        String rest = line.substring(i).strip();
        if (rest.startsWith("=")) {
            rest = rest.substring(1).strip();
        }
        return new String[] {keyword, rest};
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /**
     * The settings for {@code alias} (the name the user typed).
     *
     * @param localUser for {@code %u} in IdentityFile
     * @throws IllegalArgumentException when a Port value is not a number in range; the message names it
     */
    public HostSettings lookup(String alias, String localUser) {
        String hostName = null;
        String user = null;
        int port = 0;
        List<String> identities = new ArrayList<>();
        for (Block block : blocks) {
            if (!matches(block.patterns(), alias)) {
                continue;
            }
            for (String[] option : block.options()) {
                String value = option[1];
                switch (option[0]) {
                    case "hostname" -> hostName = hostName == null ? value : hostName;
                    case "user" -> user = user == null ? value : user;
                    case "port" -> port = port == 0 ? parsePort(value) : port;
                    case "identityfile" -> identities.add(value);
                    default -> { } // Options a tunnel does not use.
                }
            }
        }
        String resolvedHost = hostName == null ? alias : hostName.replace("%h", alias);
        String remoteUser = user == null ? localUser : user;
        List<Path> files = new ArrayList<>();
        for (String identity : identities) {
            files.add(expand(identity, resolvedHost, remoteUser, localUser));
        }
        return new HostSettings(hostName == null ? null : resolvedHost, user, port, files);
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below with the value.
        }
        throw new IllegalArgumentException("bad Port in ssh config: " + value);
    }

    private Path expand(String value, String host, String remoteUser, String localUser) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 1 < value.length()) {
                char t = value.charAt(++i);
                switch (t) {
                    case 'd' -> out.append(home);
                    case 'u' -> out.append(localUser);
                    case 'h' -> out.append(host);
                    case 'r' -> out.append(remoteUser);
                    case '%' -> out.append('%');
                    default -> out.append('%').append(t);
                }
            } else {
                out.append(c);
            }
        }
        String path = out.toString();
        if (path.equals("~")) {
            return home;
        }
        if (path.startsWith("~/")) {
            return home.resolve(path.substring(2));
        }
        return Path.of(path);
    }

    /** OpenSSH's pattern list: any positive match and no negated match ({@code !pattern}). */
    static boolean matches(List<String> patterns, String alias) {
        boolean matched = false;
        for (String pattern : patterns) {
            if (pattern.startsWith("!")) {
                if (glob(pattern.substring(1)).matcher(alias).matches()) {
                    return false;
                }
            } else if (glob(pattern).matcher(alias).matches()) {
                matched = true;
            }
        }
        return matched;
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }
}
