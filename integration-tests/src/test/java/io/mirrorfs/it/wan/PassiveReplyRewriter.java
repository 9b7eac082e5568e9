package io.mirrorfs.it.wan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites an FTP server's passive-mode replies on the control connection so the client's data
 * connection goes through the emulated link too: the port in {@code 227 Entering Passive Mode
 * (h1,h2,h3,h4,p1,p2)} (RFC 959) and {@code 229 Entering Extended Passive Mode (|||port|)}
 * (RFC 2428) is replaced by a relay port opened for it. Works on whole lines: a reply split
 * across reads is held back until its end arrives. Used by one reader thread.
 */
final class PassiveReplyRewriter implements UnaryOperator<ByteBuffer> {

    private static final Pattern PASV = Pattern.compile("^227 (.*?)(\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)(.*)$", Pattern.DOTALL);
    private static final Pattern EPSV = Pattern.compile("^229 (.*?)\\(\\|\\|\\|(\\d+)\\|\\)(.*)$", Pattern.DOTALL);

    /** Opens a relay to the given server port and returns the relay's port. */
    private final IntUnaryOperator relayTo;
    private final StringBuilder partial = new StringBuilder();

    PassiveReplyRewriter(IntUnaryOperator relayTo) {
        this.relayTo = relayTo;
    }

    @Override
    public ByteBuffer apply(ByteBuffer chunk) {
        byte[] bytes = new byte[chunk.remaining()];
        chunk.get(bytes);
        partial.append(new String(bytes, StandardCharsets.ISO_8859_1));
        int end = partial.lastIndexOf("\n") + 1;
        StringBuilder out = new StringBuilder();
        for (String line : partial.substring(0, end).split("(?<=\n)")) {
            if (!line.isEmpty()) {
                out.append(rewrite(line));
            }
        }
        partial.delete(0, end);
        byte[] result = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (result.length > chunk.capacity()) {
            return ByteBuffer.wrap(result);
        }
        chunk.clear();
        chunk.put(result).flip();
        return chunk;
    }

    private String rewrite(String line) {
        Matcher m = PASV.matcher(line);
        if (m.matches()) {
            int port = relay(Integer.parseInt(m.group(6)) * 256 + Integer.parseInt(m.group(7)));
            return "227 " + m.group(1) + "127,0,0,1," + (port >> 8) + "," + (port & 0xff) + m.group(8);
        }
        m = EPSV.matcher(line);
        if (m.matches()) {
            return "229 " + m.group(1) + "(|||" + relay(Integer.parseInt(m.group(2))) + "|)" + m.group(3);
        }
        return line;
    }

    private int relay(int serverPort) {
        try {
            return relayTo.applyAsInt(serverPort);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(new IOException("could not open a relay for passive port " + serverPort, e));
        }
    }
}
