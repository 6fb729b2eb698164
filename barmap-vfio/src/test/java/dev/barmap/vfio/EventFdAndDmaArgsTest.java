package dev.barmap.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interrupt eventfds on plain Linux (no VFIO needed: the test writes the counter as vfio-pci's
 * eventfd_signal() would), and the pure parts of DMA mapping: IOVA ranges and the IOMMU page size.
 */
class EventFdAndDmaArgsTest {
    @BeforeAll
    static void linux() {
        Assumptions.assumeTrue(NativePlatform.isLinux(), "Linux only");
    }

    static long eventfds() throws IOException {
        long n = 0;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    if (Files.readSymbolicLink(p).toString().contains("eventfd")) n++;
                } catch (IOException e) {
                    // the listing's own fd
                }
            }
        }
        return n;
    }

    @Test
    void signalsAreCountedAndTheCounterResets() {
        try (Arena a = Arena.ofConfined()) {
            EventFd e = EventFd.create(a);
            assertEquals(0, e.poll(), "a fresh eventfd has counter 0");
            e.signal(1);
            e.signal(2);
            assertEquals(3, e.await(Duration.ofSeconds(5)), "eventfd(2): a read returns the sum of the writes");
            assertEquals(0, e.poll(), "and resets the counter");
        }
    }

    @Test
    void awaitTimesOutWithZero() {
        try (Arena a = Arena.ofConfined()) {
            EventFd e = EventFd.create(a);
            assertEquals(0, e.await(Duration.ofMillis(30)));
            assertEquals(0, e.awaitParking(Duration.ofMillis(30)));
        }
    }

    @Test
    void aVirtualThreadWaitsWithoutBlockingAndWakesOnTheSignal() throws Exception {
        try (Arena a = Arena.ofShared()) {
            EventFd e = EventFd.create(a);
            AtomicLong got = new AtomicLong(-1);
            Thread t = Thread.ofVirtual().start(() -> got.set(e.awaitInterrupt(Duration.ofSeconds(10))));
            Thread.sleep(20);
            e.signal(7);
            t.join(10_000);
            assertFalse(t.isAlive());
            assertEquals(7, got.get());
        }
    }

    @Test
    void theArenaClosesItsEventfds() throws IOException {
        long before = eventfds();
        for (int i = 0; i < 200; i++) {
            try (Arena a = Arena.ofConfined()) {
                EventFd e = EventFd.create(a);
                EventFd f = EventFd.create(a);
                if (i % 2 == 0) e.close();
                f.signal(1);
                assertEquals(before + (i % 2 == 0 ? 1 : 2), eventfds());
            }
        }
        assertEquals(before, eventfds(), "eventfds left open");
    }

    @Test
    void aClosedEventfdRefuses() {
        EventFd e;
        try (Arena a = Arena.ofConfined()) {
            e = EventFd.create(a);
        }
        assertTrue(e.isClosed());
        assertThrows(IllegalStateException.class, e::poll);
    }

    @Test
    void iovaRangesAreInclusiveAndUnsigned() {
        // the shape intel-iommu reports on q35: everything but the MSI window 0xfee00000-0xfeefffff
        var low = new IovaRange(0, 0xfedfffffL);
        var high = new IovaRange(0xfef00000L, 0xffffffffffffffffL);
        assertTrue(low.contains(0x100000, 0x1000));
        assertTrue(low.contains(0xfedff000L, 0x1000), "end is inclusive");
        assertFalse(low.contains(0xfedff000L, 0x2000));
        assertFalse(low.contains(0xfee00000L, 0x1000));
        assertTrue(high.contains(0xfffffffffffff000L, 0x1000), "the top page, unsigned");
        assertFalse(high.contains(0xfffffffffffff000L, 0x2000), "wraps");
        assertFalse(low.contains(0, 0), "empty");
        assertThrows(IllegalArgumentException.class, () -> new IovaRange(2, 1));
    }

    @Test
    void theMinimumIommuPageIsTheLowestPageSizeBit() {
        // intel-iommu's pgsize_bitmap on 6.1: 4K | 2M | 1G (0x40201000)
        assertEquals(0x1000, new IommuInfo(VfioAbi.VFIO_IOMMU_INFO_PGSIZES, 0x40201000L, List.of(), OptionalInt.empty()).minPageSize());
        assertEquals(0, new IommuInfo(0, 0x40201000L, List.of(), OptionalInt.empty()).minPageSize(), "no PGSIZES flag: unknown");
    }
}
