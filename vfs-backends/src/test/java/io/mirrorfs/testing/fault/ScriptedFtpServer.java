package io.mirrorfs.testing.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny scripted FTP server on 127.0.0.1 (RFC 959 subset, passive mode only) whose directory
 * listings are raw {@code LIST} lines chosen by the test: malformed lines, hostile names, whatever
 * a broken or malicious server might send. Files are served from memory with {@code SIZE},
 * {@code MDTM}, {@code REST} and {@code RETR}; no {@code MLST}, so clients must parse {@code LIST}.
 *
 * <pre>{@code
 * try (ScriptedFtpServer ftp = ScriptedFtpServer.start()) {
 *     ftp.listing("/", "-rw-r--r-- 1 ftp ftp 5 Jan 01 2024 ok.txt", "garbage line");
 *     ftp.file("/ok.txt", "hello".getBytes());
 * }
 * }</pre>
 * Any user and password are accepted. Thread-safe.
 */
public final class ScriptedFtpServer implements AutoCloseable {

    private final ServerSocket listener;
    private final Map<String, List<String>> listings = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ScriptedFtpServer(ServerSocket listener) {
        this.listener = listener;
    }

    /** Starts a server with an empty root on an ephemeral loopback port. */
    public static ScriptedFtpServer start() throws IOException {
        ScriptedFtpServer s = new ScriptedFtpServer(new ServerSocket(0, 64, InetAddress.getLoopbackAddress()));
        s.listings.put("/", List.of());
        daemon("scripted-ftp-" + s.port(), s::acceptLoop);
        return s;
    }

    /** Sets the raw LIST lines of directory {@code dir} (absolute, no trailing slash except the root). */
    public ScriptedFtpServer listing(String dir, String... lines) {
        listings.put(dir, List.of(lines));
        return this;
    }

    /** Serves {@code content} at absolute path {@code path} (mtime 2024-01-01 00:00 UTC). */
    public ScriptedFtpServer file(String path, byte[] content) {
        files.put(path, content);
        return this;
    }

    /** Returns the port. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Returns {@code ftp://127.0.0.1:PORT/}. */
    public String url() {
        return "ftp://127.0.0.1:" + port() + "/";
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                open.add(s);
                daemon("scripted-ftp-session", () -> session(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket s) {
        String cwd = "/";
        long rest = 0;
        ServerSocket passive = null;
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream()) {
            reply(out, "220 scripted ftp ready");
            String line;
            while ((line = in.readLine()) != null) {
                String cmd = (line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line).toUpperCase(java.util.Locale.ROOT);
                String arg = line.contains(" ") ? line.substring(line.indexOf(' ') + 1) : "";
                switch (cmd) {
                    case "USER" -> reply(out, "331 password please");
                    case "PASS" -> reply(out, "230 logged in");
                    case "SYST" -> reply(out, "215 UNIX Type: L8");
                    case "FEAT" -> reply(out, "211-Features:\r\n SIZE\r\n MDTM\r\n REST STREAM\r\n211 End");
                    case "OPTS", "TYPE", "MODE", "STRU", "NOOP" -> reply(out, "200 ok");
                    case "PWD" -> reply(out, "257 \"" + cwd + "\"");
                    case "CWD" -> {
                        String dir = resolve(cwd, arg);
                        if (listings.containsKey(dir)) {
                            cwd = dir;
                            reply(out, "250 ok");
                        } else {
                            reply(out, "550 No such directory");
                        }
                    }
                    case "EPSV", "PASV" -> {
                        closeQuietly(passive);
                        passive = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                        passive.setSoTimeout(10_000);
                        open.add(passive);
                        int p = passive.getLocalPort();
                        reply(out, cmd.equals("EPSV") ? "229 Entering Extended Passive Mode (|||" + p + "|)"
                                : "227 Entering Passive Mode (127,0,0,1," + (p >> 8) + "," + (p & 0xff) + ")");
                    }
                    case "LIST", "NLST" -> {
                        String dir = arg.isEmpty() || arg.startsWith("-") ? cwd : resolve(cwd, arg);
                        List<String> lines = listings.get(dir);
                        if (lines == null || passive == null) {
                            reply(out, "550 No such directory");
                            break;
                        }
                        StringBuilder sb = new StringBuilder();
                        for (String l : lines) {
                            sb.append(l).append("\r\n");
                        }
                        send(out, passive, sb.toString().getBytes(StandardCharsets.UTF_8), 0);
                        passive = null;
                    }
                    case "SIZE" -> {
                        byte[] f = files.get(resolve(cwd, arg));
                        reply(out, f == null ? "550 No such file" : "213 " + f.length);
                    }
                    case "MDTM" -> reply(out, files.containsKey(resolve(cwd, arg)) ? "213 20240101000000" : "550 No such file");
                    case "REST" -> {
                        rest = Long.parseLong(arg.trim());
                        reply(out, "350 restarting at " + rest);
                    }
                    case "RETR" -> {
                        byte[] f = files.get(resolve(cwd, arg));
                        if (f == null || passive == null) {
                            reply(out, "550 No such file");
                            break;
                        }
                        send(out, passive, f, (int) Math.min(rest, f.length));
                        passive = null;
                        rest = 0;
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "502 not implemented");
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away
        } finally {
            closeQuietly(passive);
            open.remove(s);
        }
    }

    private void send(OutputStream control, ServerSocket passive, byte[] data, int from) throws IOException {
        try (passive; Socket d = passive.accept()) {
            open.add(d);
            reply(control, "150 opening data connection");
            d.getOutputStream().write(data, from, data.length - from);
            open.remove(d);
        }
        open.remove(passive);
        reply(control, "226 transfer complete");
    }

    private static String resolve(String cwd, String arg) {
        String p = arg.startsWith("/") ? arg : (cwd.endsWith("/") ? cwd : cwd + "/") + arg;
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to release
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Stops accepting and closes every session. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (AutoCloseable c : open) {
            closeQuietly(c);
        }
    }
}
