package dev.barmap.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.model.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A minimal QMP client for a QEMU started with {@code -qmp unix:SOCKET,server=on,wait=off}: the capabilities
 * handshake, then HMP commands through {@code human-monitor-command} (QEMU docs/interop/qmp-spec.rst: a
 * greeting {@code {"QMP": {...}}}, then one JSON object per line; {@code {"event": ...}} lines may come at any
 * time; a reply is {@code {"return": ...}} or {@code {"error": {"class", "desc"}}}). Every failure, including no
 * answer within the timeout, is a {@link BadInputException} naming the socket.
 */
public final class QmpClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A reply larger than this is not a monitor dump (info mtree of a large guest is a few MB). */
    static final int MAX_REPLY = 64 * 1024 * 1024;

    private QmpClient() {}

    /** Connects, negotiates capabilities, runs each HMP command and returns their outputs in order. */
    public static List<String> hmp(Path socket, List<String> commands, long timeoutMillis) {
        String name = "qmp:" + socket;
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            var f = exec.submit(() -> talk(name, socket, commands));
            try {
                return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new BadInputException(name, 0, "no answer from QEMU within " + timeoutMillis / 1000 + " s");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BadInputException b) throw b;
                throw new BadInputException(name, 0, String.valueOf(e.getCause().getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BadInputException(name, 0, "interrupted");
            }
        }
    }

    private static List<String> talk(String name, Path socket, List<String> commands) {
        try (var ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new BadInputException(name, 0, "cannot connect (" + e.getMessage() + "); start QEMU with -qmp unix:" + socket + ",server=on,wait=off");
            }
            var in = new Lines(ch, name);
            JsonNode greeting = in.next();
            if (!greeting.has("QMP")) throw new BadInputException(name, 0, "not a QMP socket: the first message has no \"QMP\" greeting");
            send(ch, JSON.createObjectNode().put("execute", "qmp_capabilities"));
            reply(in, name, "qmp_capabilities");
            var out = new ArrayList<String>();
            for (String c : commands) {
                ObjectNode cmd = JSON.createObjectNode().put("execute", "human-monitor-command");
                cmd.putObject("arguments").put("command-line", c);
                send(ch, cmd);
                JsonNode r = reply(in, name, c);
                if (!r.isTextual()) throw new BadInputException(name, 0, "'" + c + "' returned no text");
                out.add(r.asText());
            }
            return out;
        } catch (IOException e) {
            throw new BadInputException(name, 0, "connection failed: " + e.getMessage());
        }
    }

    private static void send(SocketChannel ch, ObjectNode msg) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) ch.write(b);
    }

    /** The next reply, skipping asynchronous events. */
    private static JsonNode reply(Lines in, String name, String what) throws IOException {
        while (true) {
            JsonNode m = in.next();
            if (m.has("event")) continue;
            if (m.has("return")) return m.get("return");
            if (m.has("error")) {
                throw new BadInputException(name, 0, "'" + what + "' failed: " + m.path("error").path("class").asText() + ": "
                        + m.path("error").path("desc").asText());
            }
            throw new BadInputException(name, 0, "unexpected QMP message: " + BadInputException.quote(m.toString()));
        }
    }

    /** Newline-separated JSON objects from the socket. */
    private static final class Lines {
        private final SocketChannel ch;
        private final String name;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(SocketChannel ch, String name) {
            this.ch = ch;
            this.name = name;
            buf.flip();
        }

        JsonNode next() throws IOException {
            while (true) {
                while (buf.hasRemaining()) {
                    byte c = buf.get();
                    if (c == '\n') {
                        String s = line.toString(StandardCharsets.UTF_8).strip();
                        line.reset();
                        if (s.isEmpty()) continue;
                        try {
                            return JSON.readTree(s);
                        } catch (IOException e) {
                            throw new BadInputException(name, 0, "not QMP (not JSON): " + BadInputException.quote(s));
                        }
                    }
                    if (line.size() >= MAX_REPLY) throw new BadInputException(name, 0, "a QMP message longer than " + MAX_REPLY + " bytes");
                    line.write(c);
                }
                buf.clear();
                int n = ch.read(buf);
                buf.flip();
                if (n < 0) throw new BadInputException(name, 0, "QEMU closed the connection");
            }
        }
    }
}
