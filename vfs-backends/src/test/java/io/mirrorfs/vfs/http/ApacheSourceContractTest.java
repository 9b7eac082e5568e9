package io.mirrorfs.vfs.http;

import io.mirrorfs.testing.ApacheServer;
import io.mirrorfs.vfs.SourceContractTest;
import io.mirrorfs.vfs.Vfs;
import java.nio.file.Path;
import java.time.Duration;

/** The source contract against real Apache httpd with FancyIndexing (human sizes: a HEAD on first stat). */
class ApacheSourceContractTest extends SourceContractTest {

    @Override
    protected Vfs openSource(Path treeRoot) throws Exception {
        return serve(ApacheServer.start(treeRoot, ApacheServer.Listing.FANCY));
    }

    @Override
    protected Duration mtimePrecision() {
        return Duration.ofMinutes(1);
    }
}
