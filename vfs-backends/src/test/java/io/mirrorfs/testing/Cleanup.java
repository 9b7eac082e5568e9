package io.mirrorfs.testing;

/** Test clean-up that runs every step even when an earlier one fails. */
public final class Cleanup {

    private Cleanup() {
    }

    /**
     * Closes each non-null resource in order (a source before the server it talks to, the server
     * before the directory it serves); every one is closed even if an earlier close failed, and
     * the first failure is rethrown with the later ones suppressed.
     */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
