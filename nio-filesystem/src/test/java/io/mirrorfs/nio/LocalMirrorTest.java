package io.mirrorfs.nio;

import java.nio.file.Path;

/** The behaviour checks against a local directory ({@code file://}). */
class LocalMirrorTest extends MirrorBehaviourChecks {

    @Override
    protected String sourceUrl(Path treeRoot) {
        return treeRoot.toUri().toString();
    }
}
