package io.mirrorfs.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/** An executor that only queues tasks; the test runs them when it chooses. Thread-safe. */
final class ManualExecutor implements Executor {

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
        queue.add(task);
    }

    int pending() {
        return queue.size();
    }

    /** Runs every queued task (including ones queued meanwhile); returns how many ran. */
    int runAll() {
        List<Runnable> ran = new ArrayList<>();
        for (Runnable r; (r = queue.poll()) != null; ) {
            r.run();
            ran.add(r);
        }
        return ran.size();
    }
}
