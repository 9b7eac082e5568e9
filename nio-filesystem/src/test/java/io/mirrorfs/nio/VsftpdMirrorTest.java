package io.mirrorfs.nio;

import io.mirrorfs.testing.VsftpdServer;
import java.nio.file.Path;
import java.time.Duration;

/** The behaviour checks against vsftpd on 127.0.0.1 ({@code ftp://}, anonymous). */
class VsftpdMirrorTest extends MirrorBehaviourChecks {

    @Override
    protected String sourceUrl(Path treeRoot) throws Exception {
        return serve(VsftpdServer.start(treeRoot));
    }

    /** LIST gives minutes for this year's files and days for older ones; the tree's files are from 2023. */
    @Override
    protected Duration mtimePrecision() {
        return Duration.ofDays(1);
    }
}
