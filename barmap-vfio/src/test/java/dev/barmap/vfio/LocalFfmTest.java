package dev.barmap.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.vfio.Errno;
import dev.barmap.model.vfio.RegionInfo;
import dev.barmap.model.vfio.VfioException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding's native paths on plain Linux files and anonymous memory (no VFIO needed): errno
 * capture, fd ownership, segment bounds of a page-rounded mapping, trapped accesses through pread/pwrite.
 */
class LocalFfmTest {
    @BeforeAll
    static void linux() {
        Assumptions.assumeTrue(NativePlatform.isLinux(), "Linux only");
    }

    static long fdCount() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static boolean mapped(long address) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] r = l.split(" ")[0].split("-");
            if (Long.parseUnsignedLong(r[0], 16) <= address && address < Long.parseUnsignedLong(r[1], 16)) return true;
        }
        return false;
    }

    @Test
    void pageSizeComesFromSysconf() {
        long p = NativePlatform.pageSize();
        assertTrue(p >= 4096 && Long.bitCount(p) == 1, "page size " + p);
        assertEquals(8192, NativePlatform.pageAlign(4097, 4096));
        assertEquals(4096, NativePlatform.pageAlign(16, 4096));
        assertEquals(65536, NativePlatform.pageAlign(16, 65536));
    }

    @Test
    void errnoIsCapturedAndNamed() {
        VfioException e = assertThrows(VfioException.class, () -> LibC.open("/nonexistent/barmap", LibC.O_RDWR));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("open(/nonexistent/barmap)") && e.getMessage().contains("ENOENT"), e.getMessage());
        try (Arena a = Arena.ofConfined()) {
            Fd f = Fd.own(LibC.open("/dev/null", LibC.O_RDWR), "/dev/null", a);
            // a VFIO request on a non-VFIO fd: the kernel answers ENOTTY
            VfioException t = assertThrows(VfioException.class, () -> LibC.ioctl(f.get(), VfioAbi.VFIO_GET_API_VERSION, 0, "VFIO_GET_API_VERSION"));
            assertEquals(Errno.ENOTTY, t.errno());
            assertEquals("VFIO_GET_API_VERSION", t.call());
            VfioException m = assertThrows(VfioException.class, () -> LibC.mmap(4096, LibC.PROT_READ, LibC.MAP_SHARED, -1, 0));
            assertEquals(Errno.EBADF, m.errno());
        }
    }

    @Test
    void thousandArenaCyclesLeaveNoFdOrMapping() throws IOException {
        long before = fdCount();
        long lastAddr = 0;
        for (int i = 0; i < 1000; i++) {
            try (Arena a = Arena.ofConfined()) {
                Fd f = Fd.own(LibC.open("/dev/zero", LibC.O_RDWR), "/dev/zero", a);
                long addr = LibC.mmap(4096, LibC.PROT_READ, LibC.MAP_PRIVATE, f.get(), 0);
                MemorySegment.ofAddress(addr).reinterpret(4096, a, s -> LibC.munmap(addr, 4096));
                lastAddr = addr;
                if (i % 2 == 0) f.close(); // an early close is not repeated at arena close
            }
        }
        assertEquals(before, fdCount(), "fds leaked");
        assertFalse(mapped(lastAddr), "mapping still present");
    }

    @Test
    void subPageSegmentExposesOnlyTheBar() throws IOException {
        long page = NativePlatform.pageSize();
        long addr;
        try (Arena a = Arena.ofConfined()) {
            addr = LibC.mmap(page, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
            long at = addr;
            MemorySegment whole = MemorySegment.ofAddress(addr).reinterpret(page, a, s -> LibC.munmap(at, page));
            var r = new MappedRegion(new RegionInfo(0, 16, 0, 7, List.of()), MappedRegion.bound(whole, 16));
            assertEquals(16, r.segment().byteSize());
            assertEquals(16, r.size());
            r.write32(12, 0xdeadbeef);
            assertEquals(0xdeadbeef, r.read32(12));
            assertEquals(0xbeef, r.read16(12));
            assertEquals(0xef, r.read8(12));
            r.write64(8, 0x0123456789abcdefL);
            assertEquals(0x0123456789abcdefL, r.read64(8));
            assertEquals(0x89abcdefL, r.read(8, 4)); // little-endian
            assertThrows(IndexOutOfBoundsException.class, () -> r.read32(16));
            assertThrows(IndexOutOfBoundsException.class, () -> r.read32(-4));
            assertThrows(IndexOutOfBoundsException.class, () -> r.read64(12));
            assertThrows(IndexOutOfBoundsException.class, () -> r.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 16));
            assertThrows(IllegalArgumentException.class, () -> r.read32(2));
            assertThrows(IllegalArgumentException.class, () -> r.read(0, 3));
            assertThrows(IllegalArgumentException.class, () -> MappedRegion.bound(whole, page + 1));
            assertTrue(mapped(addr));
        }
        assertFalse(mapped(addr), "arena close must munmap the whole page");
    }

    @Test
    void trappedAccessIsOnePreadOrPwriteOfTheWidth(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bar");
        byte[] bytes = new byte[64];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x11223344).putInt(60, 0x55667788);
        Files.write(file, bytes);
        try (Arena a = Arena.ofConfined()) {
            var dev = new FfmVfioDevice("test", Fd.own(LibC.open(file.toString(), LibC.O_RDWR), file.toString(), a));
            var r = new TrappedRegion(dev, new RegionInfo(0, 64, 0, 3, List.of()));
            assertFalse(r.direct());
            assertEquals(0x11223344, r.read32(0));
            assertEquals(0x55667788, r.read32(60));
            assertEquals(0x3344, r.read16(0));
            r.write16(2, 0xabcd);
            assertEquals(0xabcd3344, r.read32(0));
            assertThrows(IndexOutOfBoundsException.class, () -> r.read32(64));
            assertThrows(UnsupportedOperationException.class, () -> r.read64(0));
            assertEquals(0x3344L, dev.pread(0, 2).orElseThrow()); // bytes 0-1 untouched by the 2-byte write at 2
            dev.close();
            assertTrue(dev.isClosed());
            assertThrows(IllegalStateException.class, () -> r.read32(0));
        }
        assertEquals(0xabcd3344, ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
    }
}
