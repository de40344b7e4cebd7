package dev.burrow.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens N connections to an echo server at once, then each sends a random payload, half-closes and reads the echo,
 * comparing SHA-256 digests. All connections are open together before any sends (a latch), so they are really
 * concurrent. Bounded: every socket has a 60 s read timeout and the run gives up after 5 minutes.
 *
 * <p>Usage: {@code LoadClient HOST PORT CONNECTIONS MAX_PAYLOAD SEED}. Prints
 * {@code LOAD ok=N failed=N corrupt=N bytes=N ms=N}; exits 0 only when all were ok.
 */
public final class LoadClient {
    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.ofLiteral(args[0]), Integer.parseInt(args[1]));
        int n = Integer.parseInt(args[2]);
        int maxPayload = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger corrupt = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        CountDownLatch connected = new CountDownLatch(n);
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < n; i++) {
                SplittableRandom mine = random.split();
                pool.execute(() -> {
                    try (Socket s = new Socket()) {
                        try {
                            s.connect(target, 30_000);
                            s.setSoTimeout(60_000);
                        } finally {
                            connected.countDown();
                        }
                        if (!connected.await(60, TimeUnit.SECONDS)) {
                            throw new IOException("not all connections opened in time");
                        }
                        byte[] payload = new byte[1 + mine.nextInt(maxPayload)];
                        mine.nextBytes(payload);
                        Thread writer = Thread.ofVirtual().start(() -> {
                            try {
                                OutputStream out = s.getOutputStream();
                                out.write(payload);
                                s.shutdownOutput();
                            } catch (IOException e) {
                                // The reader sees the short echo.
                            }
                        });
                        MessageDigest sha = MessageDigest.getInstance("SHA-256");
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[16384];
                        long got = 0;
                        for (int r; (r = in.read(buf)) >= 0; ) {
                            sha.update(buf, 0, r);
                            got += r;
                        }
                        writer.join();
                        bytes.addAndGet(got);
                        if (got != payload.length) {
                            failed.incrementAndGet();
                        } else if (!Arrays.equals(sha.digest(), MessageDigest.getInstance("SHA-256").digest(payload))) {
                            corrupt.incrementAndGet();
                        } else {
                            ok.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException | NoSuchAlgorithmException e) {
                        failed.incrementAndGet();
                        System.err.println("connection failed: " + e);
                    }
                });
            }
            pool.shutdown();
            if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
                System.err.println("gave up waiting");
                pool.shutdownNow();
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("LOAD ok=" + ok + " failed=" + failed + " corrupt=" + corrupt + " bytes=" + bytes
                + " ms=" + ms);
        System.exit(ok.get() == n ? 0 : 1);
    }
}
