package dev.burrow.core.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Inputs for the benchmarks: random bytes (incompressible) and English-like text (compressible, few zeros). */
final class BenchData {
    static final int MIB = 1 << 20;

    private BenchData() { }

    static byte[] of(String kind, int size) {
        return switch (kind) {
            case "random" -> random(size);
            case "text" -> text(size);
            default -> throw new IllegalArgumentException("unknown data kind: " + kind);
        };
    }

    static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        return b;
    }

    /**
     * Words drawn at random (seeded) from the text files under /usr/share/doc and /usr/share/common-licenses,
     * separated as in the files, so that the vocabulary and word lengths are real but nothing repeats in long runs.
     */
    static byte[] text(int size) {
        List<String> words = new ArrayList<>();
        for (String dir : List.of("/usr/share/common-licenses", "/usr/share/doc")) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(d, 3)) {
                for (Path f : files.filter(Files::isRegularFile).filter(BenchData::looksLikeText).limit(200).toList()) {
                    for (String w : Files.readString(f, StandardCharsets.ISO_8859_1).split("(?<=\\s)")) {
                        words.add(w);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (words.isEmpty()) {
            words = List.of("the ", "quick ", "brown ", "fox ", "jumps\n", "over ", "lazy ", "dogs, ", "and ");
        }
        Random rnd = new Random(43);
        byte[] b = new byte[size];
        int p = 0;
        while (p < size) {
            byte[] w = words.get(rnd.nextInt(words.size())).getBytes(StandardCharsets.ISO_8859_1);
            int n = Math.min(w.length, size - p);
            System.arraycopy(w, 0, b, p, n);
            p += n;
        }
        return b;
    }

    private static boolean looksLikeText(Path f) {
        String n = f.getFileName().toString();
        return !n.endsWith(".gz") && !n.endsWith(".png") && !n.endsWith(".pdf") && !n.endsWith(".jpg");
    }
}
