package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mirrorfs.vfs.VfsPath;
import org.junit.jupiter.api.Test;

class SourceSpecTest {

    @Test
    void sourceSpecsParse() {
        SourceSpec s = SourceSpec.parse("/a/b=http://host/pub/");
        assertEquals(VfsPath.parse("/a/b"), s.mountPath());
        assertEquals("http://host/pub/", s.url());
        assertEquals(VfsPath.ROOT, SourceSpec.parse("/=file:///x").mountPath());
        assertEquals("ftp://h/a=b", SourceSpec.parse("/=ftp://h/a=b").url(), "only the first = splits");
        assertEquals("/=ftp://user:***@h/", SourceSpec.parse("/=ftp://user:secret@h/").redacted());
        for (String bad : new String[] {"noslash=file:///x", "/no-equals", "/a=", "/../x=file:///x"}) {
            assertThrows(IllegalArgumentException.class, () -> SourceSpec.parse(bad), bad);
        }
    }
}
