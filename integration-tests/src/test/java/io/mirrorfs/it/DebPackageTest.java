package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package built by the packaging module, installed with dpkg: the launcher, the man
 * page, a mount through an /etc/fstab line and mount(8) (the mount.fuse.mirrorfs helper), and the
 * systemd unit's command line. The package is purged and /etc/fstab restored afterwards, also
 * when a test fails.
 */
class DebPackageTest {

    private static final Path FSTAB = Path.of("/etc/fstab");
    private static final Path ETC = Path.of("/etc/mirrorfs");

    @TempDir
    static Path tmp;
    private static Path source;
    private static final List<Path> createdConfigs = new ArrayList<>();

    @BeforeAll
    static void install() throws Exception {
        Shell.ok(tmp, "chmod a+rx " + tmp);
        source = Files.createDirectories(tmp.resolve("source/sub"));
        Files.writeString(source.resolve("hello.txt"), "hello through fstab\n");
        source = source.getParent();
        Path deb = debFile();
        Shell.Result r = Shell.bash(tmp, "dpkg -i " + deb);
        assertEquals(0, r.exitCode(), "dpkg -i " + deb + ": " + r.stdout() + r.stderr());
    }

    @AfterAll
    static void purge() throws Exception {
        for (Path c : createdConfigs) {
            Files.deleteIfExists(c);
        }
        Shell.Result r = Shell.bash(tmp, "dpkg -P mirrorfs");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertFalse(Files.exists(Path.of("/usr/bin/mirrorfs")));
        assertFalse(Files.exists(Path.of("/sbin/mount.fuse.mirrorfs")));
    }

    /** Returns the .deb next to the jar the other tests run. */
    private static Path debFile() throws IOException {
        Path target = Path.of(System.getProperty("mirrorfs.jar", "../packaging/target/mirrorfs.jar")).toAbsolutePath().getParent();
        try (var files = Files.list(target)) {
            List<Path> debs = files.filter(p -> p.getFileName().toString().matches("mirrorfs_.*_all\\.deb")).toList();
            assertEquals(1, debs.size(), "expected one mirrorfs_*_all.deb in " + target + ": " + debs);
            return debs.get(0);
        }
    }

    private static Path config(String name, String... lines) throws IOException {
        Path conf = ETC.resolve(name + ".conf");
        createdConfigs.add(conf);
        Files.writeString(conf, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return conf;
    }

    private static Path mountPoint(String name) throws IOException {
        Path mnt = Files.createDirectories(tmp.resolve(name));
        Files.setPosixFilePermissions(mnt, PosixFilePermissions.fromString("rwxr-xr-x"));
        return mnt;
    }

    @Test
    void installsLauncherDependenciesAndFiles() throws Exception {
        assertTrue(Shell.ok(tmp, "/usr/bin/mirrorfs --version").startsWith("mirrorfs "));
        String status = Shell.ok(tmp, "dpkg-query -W -f='${Status} ${Depends}' mirrorfs");
        assertTrue(status.startsWith("install ok installed"), status);
        for (String dep : List.of("libfuse2", "fuse3", "java17-runtime-headless | openjdk-17-jre-headless")) {
            assertTrue(status.contains(dep), status);
        }
        String files = Shell.ok(tmp, "dpkg -L mirrorfs");
        for (String f : List.of("/usr/bin/mirrorfs", "/usr/share/mirrorfs/mirrorfs.jar", "/usr/share/mirrorfs/jvm-options.sh", "/sbin/mount.fuse.mirrorfs",
                "/lib/systemd/system/mirrorfs@.service", "/etc/mirrorfs/example.conf", "/usr/share/man/man1/mirrorfs.1.gz")) {
            assertTrue(files.lines().anyMatch(f::equals), f + " not in " + files);
        }
        assertTrue(Shell.ok(tmp, "dpkg-query --control-show mirrorfs conffiles").contains("/etc/mirrorfs/example.conf"));
    }

    @Test
    void manPageDocumentsEveryOptionOfTheHelp() throws Exception {
        String help = Shell.ok(tmp, "/usr/bin/mirrorfs mount --help") + Shell.ok(tmp, "/usr/bin/mirrorfs demo --help");
        String man = Shell.ok(tmp, "zcat /usr/share/man/man1/mirrorfs.1.gz");
        Matcher m = Pattern.compile("(?m)^\\s+(?:-\\w, )?(--?[a-zA-Z][a-zA-Z-]*)").matcher(help);
        TreeSet<String> options = new TreeSet<>();
        while (m.find()) {
            options.add(m.group(1));
        }
        assertTrue(options.containsAll(List.of("--source", "--config", "-o", "--uid", "--gid", "--read-timeout", "--help")), options.toString());
        for (String o : options) {
            assertTrue(man.contains("\\fB" + o.replace("-", "\\-") + "\\fR"), "man page lacks " + o);
        }
        for (String section : List.of(".SH CONFIGURATION FILE", ".SH FSTAB", ".SH SYSTEMD", ".SH FILES")) {
            assertTrue(man.contains(section), section);
        }
    }

    @Test
    void exampleConfigIsValid() throws Exception {
        // Its sources are placeholders on example.org, so check it with a mount point that does not
        // exist: every line must pass the config checks and the error must be about the mount point.
        Shell.Result r = Shell.bash(tmp, "/usr/bin/mirrorfs mount --config /etc/mirrorfs/example.conf " + tmp.resolve("absent"));
        assertNotEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().strip().matches("mirrorfs: mount point \\S+/absent does not exist.*"), r.stderr());
    }

    @Test
    void fstabLineMountsReadsAndUnmounts() throws Exception {
        Path mnt = mountPoint("fstab-mnt");
        Path conf = config("it-fstab", "# written by DebPackageTest", "source / = " + source.toUri(), "read-timeout = 20s");
        String line = "mirrorfs " + mnt + " fuse.mirrorfs config=" + conf + ",allow_other,_netdev,noauto 0 0";
        withFstabLine(line, () -> {
            try {
                Shell.Result mount = Shell.bash(tmp, "timeout 120 mount " + mnt);
                assertEquals(0, mount.exitCode(), mount.stdout() + mount.stderr());
                // mount(8) returned: the mirror is live already.
                assertTrue(MountedMirror.isMounted(mnt));
                assertTrue(Shell.ok(tmp, "findmnt -n -o FSTYPE,OPTIONS " + mnt).startsWith("fuse.mirrorfs "));
                assertEquals("hello through fstab", Shell.ok(mnt, "runuser -u www-data -- cat sub/hello.txt").strip());
                assertEquals(0, Shell.bash(tmp, "umount " + mnt).exitCode());
                assertFalse(MountedMirror.isMounted(mnt));
                assertTrue(daemonGone(mnt), "mirrorfs still running after umount");
            } finally {
                if (MountedMirror.isMounted(mnt)) {
                    MountedMirror.run("umount", "-l", mnt.toString());
                }
                Files.deleteIfExists(Path.of("/var/log/mirrorfs/" + mnt.toString().substring(1).replace('/', '-') + ".log"));
            }
        });
    }

    @Test
    void fstabMountWithABadConfigFailsNamingTheLine() throws Exception {
        Path mnt = mountPoint("fstab-bad");
        Path conf = config("it-bad", "source / = " + source.toUri(), "read-timout = 20s");
        withFstabLine("mirrorfs " + mnt + " fuse.mirrorfs config=" + conf + ",noauto 0 0", () -> {
            try {
                Shell.Result mount = Shell.bash(tmp, "timeout 120 mount " + mnt);
                assertNotEquals(0, mount.exitCode());
                assertTrue(mount.stderr().contains(conf + ":2: unknown key 'read-timout'; did you mean 'read-timeout'?"), mount.stderr());
                assertFalse(MountedMirror.isMounted(mnt));
            } finally {
                Files.deleteIfExists(Path.of("/var/log/mirrorfs/" + mnt.toString().substring(1).replace('/', '-') + ".log"));
            }
        });
    }

    @Test
    void systemdUnitCommandMountsAndStopsOnSigterm() throws Exception {
        Path mnt = mountPoint("unit-mnt");
        config("it-unit", "mountpoint = " + mnt, "source / = " + source.toUri(), "o = allow_other");
        String unit = Files.readString(Path.of("/lib/systemd/system/mirrorfs@.service"));
        String execStart = unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length());
        assertTrue(unit.contains("Type=notify") && unit.contains("NotifyAccess=main") && unit.contains("KillSignal=SIGTERM"), unit);
        List<String> cmd = List.of(execStart.replace("%i", "it-unit").split(" "));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            var out = p.inputReader(StandardCharsets.UTF_8);
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("mirrorfs: mounted "), "ready line: " + first);
            assertEquals("hello through fstab", Files.readString(mnt.resolve("sub/hello.txt")).strip());
            p.toHandle().destroy(); // SIGTERM, as systemctl stop sends
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertFalse(MountedMirror.isMounted(mnt));
        } finally {
            p.destroyForcibly();
            if (MountedMirror.isMounted(mnt)) {
                MountedMirror.run("umount", "-l", mnt.toString());
            }
        }
    }

    /** Appends {@code line} to /etc/fstab, runs {@code body}, and restores the file byte for byte. */
    private static void withFstabLine(String line, ThrowingRunnable body) throws Exception {
        byte[] original = Files.readAllBytes(FSTAB);
        try {
            String text = new String(original, StandardCharsets.UTF_8);
            Files.writeString(FSTAB, text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + line + "\n", StandardCharsets.UTF_8);
            body.run();
        } finally {
            Files.write(FSTAB, original);
        }
    }

    private static boolean daemonGone(Path mnt) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (Shell.bash(tmp, "pgrep -f 'mirrorfs.jar mount " + mnt + " '").exitCode() != 0) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** A test body that may throw. */
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
