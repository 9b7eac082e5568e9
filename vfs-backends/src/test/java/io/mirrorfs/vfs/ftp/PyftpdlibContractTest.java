package io.mirrorfs.vfs.ftp;

import io.mirrorfs.testing.PyftpdlibServer;
import io.mirrorfs.vfs.SourceContractTest;
import io.mirrorfs.vfs.Vfs;
import java.nio.file.Path;
import java.time.Duration;

/** The source contract against pyftpdlib: MLSD listings with exact sizes and second mtimes. */
class PyftpdlibContractTest extends SourceContractTest {

    @Override
    protected Vfs openSource(Path treeRoot) throws Exception {
        return serve(PyftpdlibServer.start(treeRoot, 0));
    }

    /** MLSD's {@code modify} fact has whole seconds. */
    @Override
    protected Duration mtimePrecision() {
        return Duration.ofSeconds(1);
    }
}
