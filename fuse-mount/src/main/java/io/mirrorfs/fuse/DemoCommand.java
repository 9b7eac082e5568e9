package io.mirrorfs.fuse;

import io.mirrorfs.cache.SourceSpec;
import io.mirrorfs.cache.MirrorAssembly;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mirrorfs demo MOUNTPOINT}: mounts a generated sample mirror; no network, no setup. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Mount a demo mirror generated at start-up and print what to try: a local tree, the same tree served by loopback HTTP and FTP servers started by the demo, and archives inside it. No network or configuration needed.",
                "Unmount with: fusermount -u MOUNTPOINT (or Ctrl-C); the sample data is deleted on exit."})
final class DemoCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An empty directory to mount on (created if missing).")
    Path mountPoint;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Main.configureLogging(common);
        if (!java.nio.file.Files.exists(mountPoint)) {
            java.nio.file.Files.createDirectories(mountPoint);
        }
        Mounter mounter = new Mounter(mountPoint, common.fuseOptionsWithCacheTimeouts(), common.debugFuse, common.uid(), common.gid(), System.out);
        mounter.checkMountPoint();
        Path tree = DemoTree.create();
        try (DemoHttpServer http = DemoHttpServer.start(tree); DemoFtpServer ftp = DemoFtpServer.start(tree)) {
            List<SourceSpec> specs = List.of(
                    new SourceSpec(VfsPath.ROOT, tree.toUri().toString()),
                    new SourceSpec(VfsPath.parse("/http"), http.url()),
                    new SourceSpec(VfsPath.parse("/ftp"), ftp.url()),
                    new SourceSpec(VfsPath.parse("/local/sample"), tree.toUri().toString()));
            Vfs vfs = MirrorAssembly.assemble(specs, common.sourceOptions(), common.cacheConfig(), common.archiveOptions(), Clock.systemUTC());
            Path mp = mountPoint.toAbsolutePath().normalize();
            String ready = String.join("\n",
                    "mirrorfs: demo mounted at " + mp,
                    "  /              the sample tree, a local directory (file://" + tree + ")",
                    "  /http          the same tree from a loopback web server (" + http.url() + ")",
                    "  /ftp           the same tree from a loopback FTP server (" + ftp.url() + ")",
                    "  /local/sample  the local tree again, mounted deeper (parents are synthesised)",
                    "Try:",
                    "  ls -lR " + mp + "/http",
                    "  cat " + mp + "/ftp/README.txt",
                    "  sha256sum " + mp + "/{,http/,ftp/}data/random-1MiB.bin",
                    "  ls -l " + mp + "/http/archives/sample.tar.gz#/     # an archive on a web server, as a directory",
                    "  cat " + mp + "/.mirrorfs/stats                      # cache statistics",
                    "  touch " + mp + "/x        # fails: Read-only file system",
                    "Stop with: fusermount -u " + mp + "   (or Ctrl-C)");
            return mounter.run(vfs, ready);
        } finally {
            DemoTree.delete(tree);
        }
    }
}
