package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.host.HostReader;
import dev.barmap.host.testing.CaptureGenerator;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import dev.barmap.model.scan.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * barmap fleet over generated captures, three of them broken: correct totals, bad ones named and skipped.
 * The unit run keeps the count small (every host is its own task on the pool, so {@value #HOSTS} hosts
 * already interleave on every worker); the large fleet (10,000 hosts by default) is
 * {@code bench/p2-fleet-vs-cat.sh [count]}.
 */
class FleetTest {
    static final int HOSTS = 60;

    @Test
    void capturesWithThreeBadOnes(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("fleet");
        List<Path> hosts = new CaptureGenerator(7).writeAll(dir, HOSTS);
        assertEquals(HOSTS, hosts.size());
        // three kinds of damage: near the start, in the middle, next to the end
        Path bad1 = hosts.get(13), bad2 = hosts.get(HOSTS / 2), bad3 = hosts.get(HOSTS - 2);
        Path res = Files.list(bad1.resolve("sys/bus/pci/devices")).sorted().findFirst().orElseThrow().resolve("resource");
        Files.writeString(res, "0x1000 0x0fff\n");
        Files.writeString(bad2.resolve("capture.properties"), "pageSize=5000\n");
        Files.delete(Files.list(bad3.resolve("sys/bus/pci/devices")).sorted().findFirst().orElseThrow().resolve("vendor"));
        Set<Path> bad = Set.of(bad1, bad2, bad3);

        Path jsonl = tmp.resolve("out.jsonl");
        CliRun run = CliRun.of("fleet", dir.toString(), "--jsonl", jsonl.toString(), "--top", "5");
        String summary = run.out();
        String err = run.err();
        assertEquals(2, run.rc(), "some hosts skipped: exit 2 after the whole run\n" + summary + err);

        // independent totals: scan every good host one by one
        long devices = 0, direct = 0, partial = 0, trapped = 0;
        int worstFail = -1;
        for (Path h : hosts) {
            if (bad.contains(h)) continue;
            ScanResult r = Scanner.scan(HostReader.read(h));
            devices += r.devices().size();
            direct += r.count(Verdict.DIRECT);
            partial += r.count(Verdict.PARTIAL);
            trapped += r.count(Verdict.TRAPPED);
            int fails = (int) r.devices().stream().flatMap(d -> d.regions().stream()
                    .filter(x -> dev.barmap.model.scan.Check.of(x, d.function().resource(x.index())) == dev.barmap.model.scan.Check.FAIL)).count();
            worstFail = Math.max(worstFail, fails);
        }
        assertTrue(summary.startsWith(String.format("barmap fleet: %d hosts (%d scanned, 3 skipped), %d devices, %d BARs and ROMs",
                HOSTS, HOSTS - 3, devices, direct + partial + trapped)), summary);
        assertTrue(summary.contains(String.format("by verdict: %d direct, %d partial, %d trapped", direct, partial, trapped)), summary);
        // worst host first
        String firstRow = summary.lines().dropWhile(l -> !l.contains("HOST")).skip(1).findFirst().orElseThrow();
        assertEquals(worstFail, Integer.parseInt(firstRow.trim().split("\\s+")[1]), firstRow);
        // each bad capture named, with what was wrong
        for (Path b : bad) assertTrue(summary.contains("  " + b + ": "), "skipped by name: " + b + "\n" + summary);
        assertTrue(summary.contains("pageSize must be a power of two"), summary);
        // one JSON line per host, in order; errors for the three
        List<String> lines = Files.readAllLines(jsonl);
        assertEquals(HOSTS, lines.size());
        for (int i = 0; i < HOSTS; i++) {
            var node = dev.barmap.host.ProbeJson.MAPPER.readTree(lines.get(i));
            assertEquals(hosts.get(i).toString(), node.get("host").asText());
            assertEquals(bad.contains(hosts.get(i)), node.has("error"), lines.get(i));
            if (!node.has("error")) assertTrue(node.get("devices").size() >= 2);
        }
    }

    @Test
    void aFolderOfPastesIsOneHostPerFile(@TempDir Path tmp) throws Exception {
        // two real pastes that both show a 00:14.2, of different classes (Audio device, RAM memory): merged into one
        // host they conflict; as the two hosts they are, both are scanned
        Path pastes = Files.createDirectories(tmp.resolve("pastes"));
        Files.copy(Path.of("../testdata/lspci/rocm-679-nonroot/lspci.txt"), pastes.resolve("rocm-679.txt"));
        Files.copy(Path.of("../testdata/lspci/systeminformation-706-fenced-nonroot/lspci.txt"), pastes.resolve("si-706.txt"));
        Files.writeString(pastes.resolve("notes.txt"), "pasted from the issues, see README\n");
        CliRun run = CliRun.of("fleet", pastes.toString(), "--no-progress");
        assertEquals(0, run.rc(), run.out() + run.err());
        assertTrue(run.out().startsWith("barmap fleet: 2 hosts (2 scanned, 0 skipped)"), run.out());
        // a directory with a capture.properties is one host, as before
        Path one = Files.createDirectories(tmp.resolve("one"));
        Files.copy(Path.of("../testdata/lspci/pciutils-113-windows-v-nn/lspci-1.txt"), one.resolve("lspci-1.txt"));
        Files.copy(Path.of("../testdata/lspci/pciutils-113-windows-v-nn/lspci-2.txt"), one.resolve("lspci-2.txt"));
        Files.copy(Path.of("../testdata/lspci/pciutils-113-windows-v-nn/capture.properties"), one.resolve("capture.properties"));
        CliRun host = CliRun.of("fleet", one.toString(), "--no-progress");
        assertTrue(host.out().startsWith("barmap fleet: 1 hosts (1 scanned, 0 skipped)"), host.out());
    }

    /** Issue 14: a per-host size budget besides the time budget; a host over it is one skipped line and the run goes on. */
    @Test
    void aHostOverTheSizeBudgetIsSkippedAndTheRunGoesOn(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("fleet");
        List<Path> hosts = new CaptureGenerator(11).writeAll(dir, 6);
        Path big = hosts.get(2);
        // a valid /proc/iomem of about 400 KB: 10,000 more top-level ranges above everything else
        var pad = new StringBuilder();
        for (long i = 0; i < 10_000; i++) {
            long s = 0x7000_0000_0000L + i * 0x1000;
            pad.append(String.format("%x-%x : pad%n", s, s + 0xfff));
        }
        Files.writeString(big.resolve("proc/iomem"), pad, java.nio.file.StandardOpenOption.APPEND);
        // within the default budget the padded host is scanned like the others
        CliRun all = CliRun.of("fleet", dir.toString(), "--no-progress");
        assertTrue(all.out().startsWith("barmap fleet: 6 hosts (6 scanned, 0 skipped)"), all.out() + all.err());
        CliRun run = CliRun.of("fleet", dir.toString(), "--no-progress", "--host-max-size", "200K");
        assertEquals(2, run.rc(), run.out() + run.err());
        assertTrue(run.out().startsWith("barmap fleet: 6 hosts (5 scanned, 1 skipped)"), run.out());
        var skipped = run.out().lines().filter(l -> l.startsWith("  " + big + ": ")).toList();
        assertEquals(1, skipped.size(), run.out());
        assertTrue(skipped.getFirst().contains("proc/iomem") && skipped.getFirst().contains("over --host-max-size 204800"), skipped.getFirst());
        assertEquals(1, run.err().lines().count(), run.err());
        CliRun zero = CliRun.of("fleet", dir.toString(), "--host-max-size", "0");
        assertEquals(2, zero.rc());
        assertTrue(zero.err().startsWith("barmap: error: --host-max-size: must be a positive byte count"), zero.err());
    }
}
