package io.mirrorfs.vfs.ftp;

import io.mirrorfs.testing.VsftpdServer;
import io.mirrorfs.vfs.SourceContractTest;
import io.mirrorfs.vfs.Vfs;
import java.nio.file.Path;
import java.time.Duration;

/** The source contract against vsftpd: Unix LIST listings, SIZE and MDTM. */
class VsftpdContractTest extends SourceContractTest {

    @Override
    protected Vfs openSource(Path treeRoot) throws Exception {
        return serve(VsftpdServer.start(treeRoot));
    }

    /** LIST gives minutes for this year's files and days for older ones; the tree's files are from 2023. */
    @Override
    protected Duration mtimePrecision() {
        return Duration.ofDays(1);
    }
}
