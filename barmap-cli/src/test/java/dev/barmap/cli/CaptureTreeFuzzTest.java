package dev.barmap.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzzing at the level users feed barmap (issue 14): Jazzer builds a whole capture tree (devices under valid,
 * short and broken names; every file as a template with fuzzed bytes, fuzzed bytes alone, CRLF text, a large
 * file, a directory, a FIFO, a dangling symlink, a symlink to a canary outside the root or to /etc/passwd, or a
 * symlink to a FIFO outside the root, which would block if opened) and runs every command on it. The contract,
 * as for the hostile corpus: exit 0, 1 or 2 (one {@code barmap: error:} line for 2), never a stack trace, nothing
 * of a file outside the root in the output, and (by the outside FIFO) no file outside the root opened.
 */
class CaptureTreeFuzzTest {
    private static final String CANARY = "CANARY-fuzz-7c1d outside the root";
    private static final String[] NAMES = {"0000:00:03.0", "0000:00:04.0", "00:03.0", "0000:01:00.0", "junk", "0000:00:1f.7", "0001:ff:1f.7"};
    private static final String RESOURCE = "0x0000000000001000 0x00000000000010ff 0x0000000000040101\n"
            + "0x00000000c0000000 0x00000000c00000ff 0x0000000000040200\n" + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n".repeat(11);
    private static final String IOMEM = "00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n"
            + "c0000000-febfffff : PCI Bus 0000:00\n  c0000000-c00000ff : 0000:00:03.0\n  c0000100-c00001ff : 0000:00:04.0\n";
    private static final List<String[]> COMMANDS = List.of(new String[] {"scan"}, new String[] {"scan", "--format", "json"},
            new String[] {"scan", "--format", "html"}, new String[] {"plan"}, new String[] {"plan", "--guest", "linux"},
            new String[] {"audit"}, new String[] {"hotplug", "--add", "00:4K"}, new String[] {"fleet", "--no-progress"});
    private static Path base;

    @FuzzTest(maxDuration = "30s")
    void everyCommandOnAFuzzedCaptureTree(FuzzedDataProvider data) throws IOException, InterruptedException {
        Path root = fresh();
        file(data, root.resolve("proc/iomem"), IOMEM);
        file(data, root.resolve("capture.properties"), "pageSize=4096\nkernelRelease=6.1.0\narch=x86_64\n");
        int devices = data.consumeInt(0, 3);
        var chosen = new java.util.HashSet<String>();
        for (int d = 0; d < devices; d++) {
            String name = data.pickValue(NAMES);
            if (!chosen.add(name)) continue; // the same device twice would write over its own files (a harness error)
            Path dir = root.resolve("sys/bus/pci/devices").resolve(name);
            Files.createDirectories(dir);
            file(data, dir.resolve("vendor"), "0x10ec\n");
            file(data, dir.resolve("device"), "0x8139\n");
            file(data, dir.resolve("class"), "0x020000\n");
            file(data, dir.resolve("resource"), RESOURCE);
            byte[] cfg = new byte[256];
            cfg[0] = (byte) 0xec;
            cfg[1] = 0x10;
            file(data, dir.resolve("config"), new String(cfg, StandardCharsets.ISO_8859_1));
            file(data, dir.resolve("iommu_group"), "../../../../kernel/iommu_groups/1");
        }
        String[] cmd = data.pickValue(COMMANDS);
        boolean fleet = cmd[0].equals("fleet");
        String[] args = new String[cmd.length + (fleet ? 1 : 2)];
        System.arraycopy(cmd, 0, args, 0, cmd.length);
        if (fleet) args[cmd.length] = root.toString();
        else {
            args[cmd.length] = "--root";
            args[cmd.length + 1] = root.toString();
        }
        var out = new StringWriter();
        var err = new StringWriter();
        int rc = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        String all = out + "" + err;
        if (all.contains("CANARY-fuzz") || all.contains("root:x:0:0")) throw new AssertionError("printed a file outside the root:\n" + all);
        if (all.contains("\tat ") || all.contains("Exception in thread")) throw new AssertionError("stack trace:\n" + all);
        if (rc < 0 || rc > 2) throw new AssertionError("exit " + rc + " outside 0/1/2: " + err);
        if (rc == 2) {
            var lines = err.toString().lines().toList();
            if (lines.size() != 1 || !lines.getFirst().startsWith("barmap: error: ")) throw new AssertionError("not one error line:\n" + err);
        }
    }

    /** One file of the tree, in a form the fuzzer picks. */
    private static void file(FuzzedDataProvider data, Path p, String template) throws IOException, InterruptedException {
        Files.createDirectories(p.getParent());
        switch (data.consumeInt(0, 11)) {
            case 0, 1, 2 -> write(p, template);
            case 3 -> write(p, mutate(data, template));
            case 4 -> write(p, data.consumeString(600));
            case 5 -> write(p, template.replace("\n", "\r\n"));
            case 6 -> write(p, template.repeat(data.consumeInt(1, 4000)));
            case 7 -> Files.createDirectories(p);
            case 8 -> Files.createSymbolicLink(p, base.resolve("outside/canary"));
            case 9 -> Files.createSymbolicLink(p, Path.of("/etc/passwd"));
            case 10 -> Files.createSymbolicLink(p, base.resolve("outside/fifo")); // opening it would block
            default -> {
                if (data.consumeBoolean()) Files.createSymbolicLink(p, p.resolveSibling("no-such-file"));
                else new ProcessBuilder("mkfifo", p.toString()).start().waitFor();
            }
        }
    }

    private static String mutate(FuzzedDataProvider data, String t) {
        if (t.isEmpty()) return data.consumeString(40);
        int at = data.consumeInt(0, t.length() - 1);
        return t.substring(0, at) + data.consumeString(40) + t.substring(Math.min(t.length(), at + data.consumeInt(0, 40)));
    }

    /** Each char's low byte: any byte value can reach the file (ISO-8859-1 encoding throws on chars above 0xff). */
    private static void write(Path p, String s) throws IOException {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) s.charAt(i);
        Files.write(p, b);
    }

    private static Path fresh() throws IOException, InterruptedException {
        if (base == null) {
            base = Files.createTempDirectory("barmap-tree-fuzz");
            Files.createDirectories(base.resolve("outside"));
            Files.writeString(base.resolve("outside/canary"), CANARY + "\n");
            new ProcessBuilder("mkfifo", base.resolve("outside/fifo").toString()).start().waitFor();
        }
        Path dir = base.resolve("capture");
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(q -> {
                    try {
                        Files.delete(q);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        Files.createDirectories(dir.resolve("sys"));
        return dir;
    }
}
