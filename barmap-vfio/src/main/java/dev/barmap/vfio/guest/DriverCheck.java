package dev.barmap.vfio.guest;

import dev.barmap.model.vfio.VfioException;
import dev.barmap.vfio.DmaMapping;
import dev.barmap.vfio.EventFd;
import dev.barmap.vfio.FfmVfioDevice;
import dev.barmap.vfio.IommuInfo;
import dev.barmap.vfio.IovaRange;
import dev.barmap.vfio.NativePlatform;
import dev.barmap.vfio.Vfio;
import dev.barmap.vfio.VfioContainer;
import dev.barmap.vfio.edu.EduDevice;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The edu driver run in the oracle guest ({@code GuestMain driver}): records what the device answered;
 * OracleIT judges it against QEMU's hw/misc/edu.c. Then the lifecycle cycles: open, map BAR0, map a DMA
 * buffer, arm MSI, close (in varying order), with fds, eventfds, VFIO mappings and pinned memory counted.
 */
final class DriverCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** The DMA buffer's IOVA: below the edu's 28-bit DMA mask, page-aligned. */
    static final long IOVA = 0x100000;

    private DriverCheck() {}

    /** The first function bound to vfio-pci with edu's IDs. */
    static String eduFunction() throws IOException {
        for (String bdf : GuestMain.vfioFunctions()) {
            Path d = Path.of("/sys/bus/pci/devices", bdf);
            if (Files.readString(d.resolve("vendor")).trim().equals("0x1234") && Files.readString(d.resolve("device")).trim().equals("0x11e8")) return bdf;
        }
        return null;
    }

    static void run(Map<String, String> out, int cycles) throws IOException {
        String bdf = eduFunction();
        out.put("edu.bdf", String.valueOf(bdf));
        if (bdf == null) return;
        try (Arena arena = Arena.ofConfined()) {
            Vfio vfio = Vfio.open(arena);
            FfmVfioDevice dev = vfio.device(bdf);
            VfioContainer c = vfio.containerOf(bdf);
            out.put("edu.iommu", String.valueOf(c.iommuType()));
            EduDevice edu = new EduDevice(dev, arena, TIMEOUT);
            out.put("edu.bar0Mapped", Boolean.toString(edu.mapped()));
            out.put("edu.command", Integer.toHexString(edu.command()));
            out.put("edu.id", Integer.toHexString(edu.id()));
            out.put("edu.liveness.12345678", Integer.toHexString(edu.liveness(0x12345678)));
            out.put("edu.factorial.polling.10", Integer.toString(edu.factorialPolling(10)));
            out.put("edu.resetSupported", Boolean.toString(dev.resetSupported()));
            if (dev.resetSupported()) {
                dev.reset();
                out.put("edu.resetDone", "true");
            }
            for (int i = 0; i < 3; i++) {
                var ii = dev.irqInfo(i);
                out.put("edu.irq" + i + ".count", Integer.toString(ii.count()));
                out.put("edu.irq" + i + ".flags", Integer.toString(ii.flags()));
            }

            // INTx: factorial with its completion interrupt, then a raised one; each acknowledged and unmasked
            try (Arena ia = Arena.ofConfined()) {
                EventFd intx = dev.enableIrq(EduDevice.INTX, 1, ia).getFirst();
                var r = edu.factorialWithInterrupt(12, intx, true);
                out.put("edu.intx.factorial.12", Long.toString(r.value()));
                out.put("edu.intx.factorial.irqStatus", Integer.toHexString(r.irqStatus()));
                var r2 = edu.raise(0x40, intx, true);
                out.put("edu.intx.raise.irqStatus", Integer.toHexString(r2.irqStatus()));
                // the eventfd wiring alone: a software trigger (DATA_NONE | ACTION_TRIGGER) reaches the eventfd
                dev.triggerIrq(EduDevice.INTX, 0);
                out.put("edu.intx.loopbackSignals", Long.toString(intx.await(TIMEOUT)));
                dev.unmaskIntx();
            }

            // DMA: a page of Java memory mapped at IOVA, RAM -> edu, then edu -> a second page, byte for byte
            IommuInfo info = c.iommuInfo();
            out.put("iommu.pgsizes", Long.toHexString(info.iovaPgsizes()));
            out.put("iommu.iovaRanges", info.iovaRanges().toString());
            out.put("iommu.dmaAvail", info.dmaAvail().isPresent() ? Integer.toString(info.dmaAvail().getAsInt()) : "unknown");
            long page = NativePlatform.pageSize();
            MemorySegment src = arena.allocate(page, page);
            MemorySegment dst = arena.allocate(page, page);
            var rnd = new SplittableRandom(17);
            for (long i = 0; i < EduDevice.DMA_SIZE; i++) src.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
            DmaMapping ms = c.mapDma(src, IOVA, arena);
            DmaMapping md = c.mapDma(dst, IOVA + page, arena);
            out.put("dma.mappings", Integer.toString(c.mappings().size()));
            out.put("dma.overlapRefused", refusal(() -> c.mapDma(arena.allocate(page, page), IOVA + page, arena)));
            IovaRange outside = null;
            if (!info.iovaRanges().isEmpty()) {
                // the first page past the first usable range (e.g. the MSI window intel-iommu reserves)
                outside = new IovaRange(info.iovaRanges().getFirst().end() + 1, info.iovaRanges().getFirst().end() + page);
                final long at = outside.start();
                out.put("dma.outOfRangeRefused", refusal(() -> c.mapDma(arena.allocate(page, page), at, arena)));
            }
            out.put("dma.unalignedRefused", refusal(() -> c.mapDma(arena.allocate(page, page), IOVA + 8 * page + 1, arena)));

            try (Arena ma = Arena.ofConfined()) {
                EventFd msi = dev.enableIrq(EduDevice.MSI, 1, ma).getFirst();
                var toDev = edu.dma(ms, 0, 0, EduDevice.MAX_TRANSFER, false, msi, false);
                out.put("dma.toDevice.irqStatus", Integer.toHexString(toDev.irqStatus()));
                var toRam = edu.dma(md, 0, 0, EduDevice.MAX_TRANSFER, true, msi, false);
                out.put("dma.toRam.irqStatus", Integer.toHexString(toRam.irqStatus()));
                long mismatches = 0;
                for (long i = 0; i < EduDevice.MAX_TRANSFER; i++) {
                    if (src.get(ValueLayout.JAVA_BYTE, i) != dst.get(ValueLayout.JAVA_BYTE, i)) mismatches++;
                }
                out.put("dma.bytes", Integer.toString(EduDevice.MAX_TRANSFER));
                // the byte past the transfer stays as allocated (arena memory is zeroed): the device wrote exactly count bytes
                out.put("dma.byteAfterTransfer", Integer.toString(dst.get(ValueLayout.JAVA_BYTE, EduDevice.MAX_TRANSFER)));
                out.put("dma.mismatches", Long.toString(mismatches));
                out.put("dma.dstNonZero", Boolean.toString(dst.asSlice(0, 64).toArray(ValueLayout.JAVA_BYTE).length == 64
                        && !java.util.Arrays.equals(dst.asSlice(0, 64).toArray(ValueLayout.JAVA_BYTE), new byte[64])));
                // MSI: factorial with interrupt and a raised interrupt through the MSI vector
                var f = edu.factorialWithInterrupt(12, msi, false);
                out.put("edu.msi.factorial.12", Long.toString(f.value()));
                out.put("edu.msi.factorial.irqStatus", Integer.toHexString(f.irqStatus()));
                var rr = edu.raise(0x20000, msi, false);
                out.put("edu.msi.raise.irqStatus", Integer.toHexString(rr.irqStatus()));
                // virtual-thread wait: the same interrupt awaited from a virtual thread (parks, no native block)
                AtomicLong vt = new AtomicLong(-1);
                Thread t = Thread.ofVirtual().start(() -> vt.set(msi.awaitInterrupt(TIMEOUT)));
                edu.bar0().write(EduDevice.REG_IRQ_RAISE, 4, 0x8);
                t.join();
                out.put("edu.msi.virtualThreadSignals", Long.toString(vt.get()));
                out.put("edu.msi.virtualThreadIrqStatus", Integer.toHexString(edu.bar0().read32(EduDevice.REG_IRQ_STATUS)));
                edu.bar0().write(EduDevice.REG_IRQ_ACK, 4, 0xffffffffL);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            md.close();
            out.put("dma.mappingsAfterClose", Integer.toString(c.mappings().size()));
        }
        cycles(out, bdf, cycles);
    }

    /** The errno and message of a refused call, or "not refused". */
    static String refusal(Runnable r) {
        try {
            r.run();
            return "not refused";
        } catch (VfioException e) {
            return "errno " + e.errno() + ": " + e.getMessage();
        } catch (IllegalArgumentException e) {
            return "IllegalArgumentException: " + e.getMessage();
        }
    }

    /**
     * CYCLES times: open (group, container, device), map BAR0, map a DMA page, arm MSI with an eventfd,
     * then release, in three orders: the arena alone; the device fd first, then the arena; the DMA mapping
     * and the eventfd first, then the arena.
     */
    static void cycles(Map<String, String> out, String bdf, int cycles) throws IOException {
        long page = NativePlatform.pageSize();
        out.put("cycles.fdsBefore", Long.toString(GuestMain.fdCount()));
        out.put("cycles.eventfdsBefore", Long.toString(GuestMain.eventfdCount()));
        out.put("cycles.vfioMappingsBefore", Long.toString(GuestMain.vfioMappings()));
        out.put("cycles.lockedKbBefore", Long.toString(GuestMain.lockedKb()));
        System.err.println("driver: before the cycles: fds " + GuestMain.fdCount() + " eventfds " + GuestMain.eventfdCount()
                + " vfioMappings " + GuestMain.vfioMappings() + " VmLck kB " + GuestMain.lockedKb());
        long t0 = System.nanoTime();
        int done = 0;
        for (int i = 0; i < cycles; i++) {
            try (Arena a = Arena.ofConfined()) {
                Vfio vfio = Vfio.open(a);
                FfmVfioDevice d = vfio.device(bdf);
                d.region(0, a).read32(EduDevice.REG_ID);
                MemorySegment buf = a.allocate(page, page);
                DmaMapping m = vfio.containerOf(bdf).mapDma(buf, IOVA, a);
                List<EventFd> fds = d.enableIrq(EduDevice.MSI, 1, a);
                if (i == 0) {
                    out.put("cycles.eventfdsWhileOpen", Long.toString(GuestMain.eventfdCount()));
                    out.put("cycles.vfioMappingsWhileOpen", Long.toString(GuestMain.vfioMappings()));
                    out.put("cycles.lockedKbWhileOpen", Long.toString(GuestMain.lockedKb()));
                    out.put("cycles.fdsWhileOpen", Long.toString(GuestMain.fdCount()));
                }
                switch (i % 3) {
                    case 1 -> d.close();
                    case 2 -> {
                        m.close();
                        fds.forEach(EventFd::close);
                    }
                    default -> { }
                }
            }
            done++;
            if (done % 1000 == 0) {
                System.err.println("driver: " + done + " cycles, " + (System.nanoTime() - t0) / 1_000_000 + " ms; fds " + GuestMain.fdCount()
                        + " eventfds " + GuestMain.eventfdCount() + " vfioMappings " + GuestMain.vfioMappings() + " VmLck kB " + GuestMain.lockedKb());
            }
        }
        out.put("cycles", Integer.toString(done));
        out.put("cycles.ms", Long.toString((System.nanoTime() - t0) / 1_000_000));
        out.put("cycles.fdsAfter", Long.toString(GuestMain.fdCount()));
        out.put("cycles.eventfdsAfter", Long.toString(GuestMain.eventfdCount()));
        out.put("cycles.vfioMappingsAfter", Long.toString(GuestMain.vfioMappings()));
        out.put("cycles.lockedKbAfter", Long.toString(GuestMain.lockedKb()));
    }
}
