package io.mirrorfs.vfs;

import io.mirrorfs.vfs.local.LocalSource;
import java.nio.file.Path;

/** Runs the source contract against {@link LocalSource} over the generated tree. */
class LocalSourceContractTest extends SourceContractTest {

    @Override
    protected Vfs openSource(Path treeRoot) throws Exception {
        return new LocalSource(treeRoot, false);
    }
}
