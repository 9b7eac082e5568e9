package io.mirrorfs.vfs.http;

import io.mirrorfs.testing.ApacheServer;
import io.mirrorfs.vfs.SourceContractTest;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import java.nio.file.Path;
import java.time.Duration;

/** The source contract against real Apache httpd with FancyIndexing (human sizes: a HEAD on first stat). */
class ApacheSourceContractTest extends SourceContractTest {

    private ApacheServer server;

    @Override
    protected Vfs openSource(Path treeRoot) throws Exception {
        server = ApacheServer.start(treeRoot, ApacheServer.Listing.FANCY);
        return Sources.open(server.url(), SourceOptions.DEFAULTS);
    }

    @Override
    protected void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Duration mtimePrecision() {
        return Duration.ofMinutes(1);
    }
}
