package io.mirrorfs.nio;

import io.mirrorfs.testing.NginxServer;
import java.nio.file.Path;
import java.time.Duration;

/** The behaviour checks against nginx with autoindex on 127.0.0.1 ({@code http://}). */
class NginxMirrorTest extends MirrorBehaviourChecks {

    @Override
    protected String sourceUrl(Path treeRoot) throws Exception {
        return serve(NginxServer.start(treeRoot, NginxServer.Listing.EXACT));
    }

    @Override
    protected Duration mtimePrecision() {
        return Duration.ofMinutes(1); // autoindex shows minutes
    }
}
