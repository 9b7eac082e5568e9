package io.mirrorfs.vfs.http;

import io.mirrorfs.testing.LighttpdServer;
import io.mirrorfs.vfs.SourceContractTest;
import io.mirrorfs.vfs.Vfs;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The source contract against real lighttpd with mod_dirlisting: human sizes (a HEAD on first
 * stat) and answers without Last-Modified, so every mtime must come from the listing.
 */
class LighttpdSourceContractTest extends SourceContractTest {

    @Override
    protected Vfs openSource(Path treeRoot) throws Exception {
        return serve(LighttpdServer.start(treeRoot));
    }

    @Override
    protected Duration mtimePrecision() {
        return Duration.ofSeconds(1); // mod_dirlisting shows seconds
    }
}
