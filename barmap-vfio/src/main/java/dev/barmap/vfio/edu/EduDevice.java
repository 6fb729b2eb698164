package dev.barmap.vfio.edu;

import dev.barmap.vfio.DmaMapping;
import dev.barmap.vfio.EventFd;
import dev.barmap.vfio.FfmVfioDevice;
import dev.barmap.vfio.MappedRegion;
import dev.barmap.vfio.RegionAccess;
import dev.barmap.vfio.VfioAbi;
import java.lang.foreign.Arena;
import java.time.Duration;

/**
 * A userspace driver for QEMU's educational PCI device {@code edu} (vendor 0x1234, device 0x11e8), written
 * only with this library: BAR0 mapped, interrupts through eventfds, DMA to and from Java memory.
 * The register map is QEMU's docs/specs/edu.rst and hw/misc/edu.c (edu_mmio_read/edu_mmio_write):
 * <pre>
 *  0x00 (RO) identification 0xRRrr00edu (RR major, rr minor version)
 *  0x04 (RW) liveness: reads back the bitwise inverse of the value written
 *  0x08 (RW) factorial: write n to start computing n!, read the result when status bit 0x01 is clear
 *  0x20 (RW) status: 0x01 computing (RO), 0x80 raise an interrupt when the factorial is done
 *  0x24 (RO) interrupt status (0x00000001 factorial, 0x00000100 DMA, or what 0x60 raised)
 *  0x60 (WO) raise interrupt: the value is ORed into the interrupt status
 *  0x64 (WO) acknowledge interrupt: the value is cleared from the interrupt status
 *  0x80 (RW) DMA source, 0x88 DMA destination, 0x90 DMA count (8-byte accesses allowed from 0x80)
 *  0x98 (RW) DMA command: 0x1 start, 0x2 direction (0: RAM to edu, 1: edu to RAM), 0x4 interrupt when done
 * </pre>
 * The device's own buffer is 4096 bytes at 0x40000 (DMA_START, DMA_SIZE), of which QEMU 7.2 lets a transfer
 * reach 4095 (see {@link #MAX_TRANSFER}); its DMA addresses are masked to
 * 28 bits ({@code dma_mask = (1UL << 28) - 1}, edu_instance_init()), so IOVAs must lie below 256 MiB. A DMA
 * completes about 100 ms (virtual clock) after the command (dma_rw(): {@code timer_mod(..., + 100)}).
 * Interrupts: INTx pin A, and one MSI vector (msi_init(pdev, 0, 1, ...)); no MSI-X. Accesses below 0x80
 * must be 4 bytes wide, others are ignored (reads give all ones).
 */
public final class EduDevice {
    /** PCI IDs: PCI_VENDOR_ID_QEMU 0x1234, device 0x11e8 (edu_class_init()). */
    public static final int VENDOR = 0x1234;
    /** The edu's PCI device ID. */
    public static final int DEVICE = 0x11e8;

    // BAR0 registers (QEMU docs/specs/edu.rst, hw/misc/edu.c edu_mmio_read()/edu_mmio_write())
    /** Identification (RO): 0xRRrr00ed, major.minor version and 0xed. */
    public static final int REG_ID = 0x00;
    /** Card liveness check (RW): reads back the bitwise inverse of what was written. */
    public static final int REG_LIVENESS = 0x04;
    /** Factorial computation (RW): write n to start, read n! once the status says done. */
    public static final int REG_FACTORIAL = 0x08;
    /** Status (RW): {@link #STATUS_COMPUTING}, {@link #STATUS_IRQFACT}. */
    public static final int REG_STATUS = 0x20;
    /** Interrupt status (RO): the OR of every raised interrupt not yet acknowledged. */
    public static final int REG_IRQ_STATUS = 0x24;
    /** Interrupt raise (WO): ORs the value into the interrupt status and raises the interrupt. */
    public static final int REG_IRQ_RAISE = 0x60;
    /** Interrupt acknowledge (WO): clears the written bits; the interrupt drops when none is left. */
    public static final int REG_IRQ_ACK = 0x64;
    /** DMA source address (RW, 64-bit): an IOVA, or an offset in the device's buffer ({@link #DMA_START}) for device-to-RAM. */
    public static final int REG_DMA_SRC = 0x80;
    /** DMA destination address (RW, 64-bit). */
    public static final int REG_DMA_DST = 0x88;
    /** DMA transfer count in bytes (RW, 64-bit). */
    public static final int REG_DMA_COUNT = 0x90;
    /** DMA command (RW): {@link #DMA_RUN} | {@link #DMA_TO_RAM} | {@link #DMA_IRQ}. */
    public static final int REG_DMA_CMD = 0x98;

    /** Status bit: the factorial is being computed. */
    public static final int STATUS_COMPUTING = 0x01;
    /** Status bit: raise an interrupt when the factorial is done. */
    public static final int STATUS_IRQFACT = 0x80;
    /** Interrupt status bit of a finished factorial (FACT_IRQ). */
    public static final int IRQ_FACT = 0x00000001;
    /** Interrupt status bit of a finished DMA (DMA_IRQ). */
    public static final int IRQ_DMA = 0x00000100;
    /** DMA command bit: start the transfer. */
    public static final int DMA_RUN = 0x1;
    /** DMA command bit: direction device to RAM (clear: RAM to device). */
    public static final int DMA_TO_RAM = 0x2;
    /** DMA command bit: raise {@link #IRQ_DMA} when done. */
    public static final int DMA_IRQ = 0x4;
    /** The device's internal DMA buffer: 4096 bytes at 0x40000 (DMA_START, DMA_SIZE). */
    public static final long DMA_START = 0x40000;
    public static final int DMA_SIZE = 4096;
    /**
     * The longest transfer QEMU 7.2's edu accepts from offset 0: its edu_check_range() requires the end to lie
     * strictly inside the buffer and calls hw_error() (QEMU aborts) otherwise.
     */
    public static final int MAX_TRANSFER = DMA_SIZE - 1;
    /** The device masks DMA addresses to 28 bits. */
    public static final long DMA_MASK = (1L << 28) - 1;

    private final FfmVfioDevice dev;
    private final RegionAccess bar0;
    private final Duration timeout;

    /** Drives {@code dev}, whose BAR0 ({@code region(0, arena)}) is mapped or trapped as the kernel allows. */
    public EduDevice(FfmVfioDevice dev, Arena arena, Duration timeout) {
        this.dev = dev;
        this.bar0 = dev.region(0, arena);
        this.timeout = timeout;
        // DMA and MSI are memory writes by the device: QEMU drops them while Bus Master Enable is clear
        this.command = dev.setBusMaster(true);
    }

    private final int command;

    /** The PCI command register after Bus Master Enable was set. */
    public int command() { return command; }

    public RegionAccess bar0() { return bar0; }

    /** Whether BAR0 is mapped (loads and stores reach the device without a trap). */
    public boolean mapped() { return bar0 instanceof MappedRegion; }

    /** Register 0x00. */
    public int id() { return bar0.read32(REG_ID); }

    /** Writes {@code v} to the liveness register and returns what it reads back (~v from a live device). */
    public int liveness(int v) {
        bar0.write(REG_LIVENESS, 4, v & 0xffffffffL);
        return bar0.read32(REG_LIVENESS);
    }

    /** n! computed by the device, waiting for the status register's COMPUTING bit to clear (no interrupt). */
    public int factorialPolling(int n) {
        bar0.write(REG_STATUS, 4, 0);
        bar0.write(REG_FACTORIAL, 4, n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((bar0.read32(REG_STATUS) & STATUS_COMPUTING) != 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("edu: factorial of " + n + " still computing after " + timeout);
            Thread.onSpinWait();
        }
        return bar0.read32(REG_FACTORIAL);
    }

    /** The outcome of an interrupt-driven operation: the value, the interrupt status seen, the eventfd count. */
    public record IrqResult(long value, int irqStatus, long signals) {}

    /**
     * n! with the device's completion interrupt: status bit 0x80 set, n written, then wait on
     * {@code irq} (armed by the caller for INTx or MSI), read and acknowledge the interrupt status.
     * With INTx, vfio-pci masked the line when it fired; {@code intx} makes this unmask it after the ack.
     */
    public IrqResult factorialWithInterrupt(int n, EventFd irq, boolean intx) {
        bar0.write(REG_STATUS, 4, STATUS_IRQFACT);
        bar0.write(REG_FACTORIAL, 4, n);
        long signals = irq.awaitInterrupt(timeout);
        if (signals == 0) throw new IllegalStateException("edu: no interrupt for factorial of " + n + " within " + timeout);
        int st = bar0.read32(REG_IRQ_STATUS);
        int v = bar0.read32(REG_FACTORIAL);
        acknowledge(st, intx);
        bar0.write(REG_STATUS, 4, 0);
        return new IrqResult(v & 0xffffffffL, st, signals);
    }

    /** Raises interrupt bits {@code bits} through register 0x60, waits for it and acknowledges. */
    public IrqResult raise(int bits, EventFd irq, boolean intx) {
        bar0.write(REG_IRQ_RAISE, 4, bits & 0xffffffffL);
        long signals = irq.awaitInterrupt(timeout);
        if (signals == 0) throw new IllegalStateException("edu: no interrupt after raising 0x" + Integer.toHexString(bits) + " within " + timeout);
        int st = bar0.read32(REG_IRQ_STATUS);
        acknowledge(st, intx);
        return new IrqResult(st & 0xffffffffL, st, signals);
    }

    private void acknowledge(int status, boolean intx) {
        bar0.write(REG_IRQ_ACK, 4, status & 0xffffffffL);
        if (intx) dev.unmaskIntx();
    }

    /**
     * One DMA between RAM at {@code mapping} (IOVA) and the device's buffer at {@code DMA_START + devOffset},
     * {@code count} bytes; {@code toRam} selects edu to RAM. Completion is waited for through {@code irq}
     * (command bit 0x4) when given, else by polling the command register's RUN bit.
     */
    public IrqResult dma(DmaMapping mapping, long ramOffset, int devOffset, int count, boolean toRam, EventFd irq, boolean intx) {
        long iova = mapping.iova() + ramOffset;
        if (ramOffset < 0 || ramOffset + count > mapping.size()) throw new IllegalArgumentException("DMA of " + count + " bytes at " + ramOffset + " leaves the mapping");
        // QEMU 7.2's edu_check_range() wants the transfer's end strictly inside the buffer
        // (within(end1, start, end2), end exclusive) and aborts QEMU with hw_error() otherwise, so a transfer
        // may not reach the buffer's last byte there (later QEMUs accept xfer_end <= dma_end)
        if (count <= 0 || devOffset < 0 || devOffset + count >= DMA_SIZE) {
            throw new IllegalArgumentException("the edu buffer is " + DMA_SIZE + " bytes and QEMU 7.2 refuses a transfer that reaches its last byte: "
                    + count + " bytes at " + devOffset);
        }
        if ((iova & ~DMA_MASK) != 0 || ((iova + count - 1) & ~DMA_MASK) != 0) {
            throw new IllegalArgumentException(String.format("IOVA 0x%x is beyond the edu's 28-bit DMA mask", iova));
        }
        bar0.write(REG_DMA_SRC, 8, toRam ? DMA_START + devOffset : iova);
        bar0.write(REG_DMA_DST, 8, toRam ? iova : DMA_START + devOffset);
        bar0.write(REG_DMA_COUNT, 8, count);
        bar0.write(REG_DMA_CMD, 8, DMA_RUN | (toRam ? DMA_TO_RAM : 0) | (irq != null ? DMA_IRQ : 0));
        if (irq != null) {
            long signals = irq.awaitInterrupt(timeout);
            if (signals == 0) throw new IllegalStateException("edu: no DMA interrupt within " + timeout);
            int st = bar0.read32(REG_IRQ_STATUS);
            acknowledge(st, intx);
            return new IrqResult(bar0.read(REG_DMA_CMD, 8), st, signals);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((bar0.read(REG_DMA_CMD, 8) & DMA_RUN) != 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("edu: DMA still running after " + timeout);
            Thread.onSpinWait();
        }
        return new IrqResult(bar0.read(REG_DMA_CMD, 8), 0, 0);
    }

    /** The INTx index, for {@link FfmVfioDevice#enableIrq}. */
    public static final int INTX = VfioAbi.VFIO_PCI_INTX_IRQ_INDEX;
    /** The MSI index. */
    public static final int MSI = VfioAbi.VFIO_PCI_MSI_IRQ_INDEX;
}
