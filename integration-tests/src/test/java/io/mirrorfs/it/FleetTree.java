package io.mirrorfs.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The content a fleet test serves: one large random file {@code big.bin} and a tree {@code t/} of
 * small random files in a few directories; and the upstream access-log arithmetic the fleet
 * tests check ({@code "REQUEST" STATUS BYTES} lines).
 */
final class FleetTree {

    /** Checksums of every file under {@code t}, in a stable order. */
    static final String HASHES = "find t -type f -print0 | sort -z | xargs -0 sha256sum";
    /** Checksums of the large file and of the tree. */
    static final String ALL = "sha256sum big.bin && " + HASHES;
    /**
     * A walk of a large tree: the large file's checksum, every file's name and size (from the
     * listings), and the checksums of every tenth small file (names ending in {@code 7.bin}).
     */
    static final String WALK = "sha256sum big.bin && find t -type f -printf '%p %s\\n' | sort"
            + " && find t -type f -name '*7.bin' -print0 | sort -z | xargs -0 sha256sum";

    private final Path root;
    private final long fileBytes;
    private final long walkBytes;
    private final int directories;
    /** Outputs of {@link #ALL} and {@link #WALK} on the original tree, computed when first asked. */
    private String expected;
    private String expectedWalk;

    private FleetTree(Path root, long fileBytes, long walkBytes, int directories) {
        this.root = root;
        this.fileBytes = fileBytes;
        this.walkBytes = walkBytes;
        this.directories = directories;
    }

    /** Writes {@code big.bin} of {@code bigSize} bytes and {@code dirs} directories of {@code filesPerDir} files (1-24 KiB). */
    static FleetTree create(Path root, long bigSize, int dirs, int filesPerDir) throws IOException, InterruptedException {
        return create(root, bigSize, dirs, filesPerDir, 24 * 1024);
    }

    /**
     * Writes {@code big.bin} of {@code bigSize} bytes and {@code dirs} directories of
     * {@code filesPerDir} files of 1 KiB to {@code maxSmall} bytes.
     */
    static FleetTree create(Path root, long bigSize, int dirs, int filesPerDir, int maxSmall) throws IOException, InterruptedException {
        Random r = new Random(17);
        Files.createDirectories(root);
        writeRandom(root.resolve("big.bin"), bigSize, r);
        long bytes = bigSize;
        long walked = bigSize;
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectories(root.resolve("t/d" + d));
            for (int f = 0; f < filesPerDir; f++) {
                long size = 1024 + r.nextInt(maxSmall - 1024 + 1);
                writeRandom(dir.resolve("f" + f + ".bin"), size, r);
                bytes += size;
                walked += f % 10 == 7 ? size : 0;
            }
        }
        Shell.ok(root, "chmod -R a+rX .");
        // the root, t/ and each t/dN/
        return new FleetTree(root, bytes, walked, 2 + dirs);
    }

    static void writeRandom(Path file, long size, Random r) throws IOException {
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= buf.length) {
                r.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
    }

    Path root() {
        return root;
    }

    /** Returns the bytes of all files. */
    long fileBytes() {
        return fileBytes;
    }

    /** Returns the number of directories a walk lists. */
    int directories() {
        return directories;
    }

    /** Returns the bytes of the files {@link #WALK} reads. */
    long walkBytes() {
        return walkBytes;
    }

    /** Returns the output of {@link #WALK} on the original tree. */
    synchronized String expectedWalk() throws IOException, InterruptedException {
        if (expectedWalk == null) {
            expectedWalk = Shell.ok(root, WALK);
        }
        return expectedWalk;
    }

    /** Returns the output of {@link #ALL} on the original tree. */
    synchronized String expectedSums() throws IOException, InterruptedException {
        if (expected == null) {
            expected = Shell.ok(root, ALL);
        }
        return expected;
    }

    /** Returns the body bytes an access log shows for files (requests not ending in {@code /}). */
    static long bytesOfFiles(List<String> log) {
        long sum = 0;
        for (String line : log) {
            String[] tail = line.substring(line.lastIndexOf('"') + 1).trim().split("\\s+");
            if (!isListing(line) && tail.length >= 2 && tail[1].matches("\\d+")) {
                sum += Long.parseLong(tail[1]);
            }
        }
        return sum;
    }

    /** Returns how many GETs of directories (listings) an access log shows. */
    static long listingRequests(List<String> log) {
        return log.stream().filter(l -> l.contains("\"GET ") && isListing(l)).count();
    }

    private static boolean isListing(String line) {
        int start = line.indexOf('"');
        String[] request = line.substring(start + 1, line.indexOf('"', start + 1)).split(" ");
        return request.length >= 2 && request[1].endsWith("/");
    }
}
