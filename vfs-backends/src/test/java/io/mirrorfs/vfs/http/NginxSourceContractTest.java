package io.mirrorfs.vfs.http;

import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.vfs.SourceContractTest;
import io.mirrorfs.vfs.Vfs;
import java.nio.file.Path;
import java.time.Duration;

/** The source contract against real nginx with {@code autoindex} (exact sizes: no HEAD per file). */
class NginxSourceContractTest extends SourceContractTest {

    @Override
    protected Vfs openSource(Path treeRoot) throws Exception {
        return serve(NginxServer.start(treeRoot, NginxServer.Listing.EXACT));
    }

    @Override
    protected Duration mtimePrecision() {
        return Duration.ofMinutes(1); // autoindex shows minutes
    }
}
