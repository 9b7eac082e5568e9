package io.mirrorfs.nio;

import io.mirrorfs.testing.NginxServer;
import java.nio.file.Path;
import java.time.Duration;

/** The behaviour checks against nginx with autoindex on 127.0.0.1 ({@code http://}). */
class NginxMirrorTest extends MirrorBehaviourChecks {

    private NginxServer server;

    @Override
    protected String sourceUrl(Path treeRoot) throws Exception {
        server = NginxServer.start(treeRoot, NginxServer.Listing.EXACT);
        return server.url();
    }

    @Override
    protected void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Duration mtimePrecision() {
        return Duration.ofMinutes(1); // autoindex shows minutes
    }
}
