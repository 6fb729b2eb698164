package dev.barmap.model.vmm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.vmm.qemu.QemuPciFunction.BarSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link QemuPciFunction#writeConfig} against QEMU 7.2's rules, each expected value worked out from the cited
 * source: hw/pci/pci.c pci_register_bar (wmask = ~(size - 1), the register starts as the type bits),
 * pci_default_write_config (config = (config & ~wmask) | (val & wmask); pci_update_mappings after a write that
 * overlaps the BARs or covers PCI_COMMAND), pci_bar_address, pci_update_mappings (add at priority 1).
 */
class QemuConfigWriteTest {
    static final long UNMAPPED = QemuPciFunction.UNMAPPED;

    static QemuMachine machine() { return new QemuMachine(4096); }

    @Test
    void barBitsBelowTheSizeAndTheTypeBitsAreReadOnly() {
        var m = machine();
        var f = m.addEmulated("dev", List.of(BarSpec.mem32(0, 0x100), new BarSpec(1, 0x20, true, false, false),
                new BarSpec(2, 0x4000, false, true, true)));
        // pci_register_bar: the register starts as the type: 0 (32-bit memory), 1 (I/O), 0x4|0x8 (64-bit prefetchable)
        assertEquals(0, f.readConfig(0x10, 4));
        assertEquals(1, f.readConfig(0x14, 4));
        assertEquals(0xc, f.readConfig(0x18, 4));
        f.writeConfig(0x10, 4, 0xffffffffL);
        f.writeConfig(0x14, 4, 0xffffffffL);
        f.writeConfig(0x18, 4, 0xffffffffL);
        f.writeConfig(0x1c, 4, 0xffffffffL);
        // wmask ~(0x100-1): 0xffffff00 | type 0; ~(0x20-1): 0xffffffe0 | type 1; ~(0x4000-1) over 8 bytes | 0xc
        assertEquals(0xffffff00L, f.readConfig(0x10, 4));
        assertEquals(0xffffffe1L, f.readConfig(0x14, 4));
        assertEquals(0xffffc00cL, f.readConfig(0x18, 4));
        assertEquals(0xffffffffL, f.readConfig(0x1c, 4));
    }

    @Test
    void memoryBarDecodesOnlyWithPciCommandMemory() {
        var m = machine();
        var f = m.addEmulated("i6300esb", List.of(BarSpec.mem32(0, 0x10)));
        f.writeConfig(0x10, 4, 0xc0000000L);
        assertEquals(UNMAPPED, f.barAddress(0));
        assertEquals(List.of(), m.pciMemory().mtreeLines().stream().filter(l -> l.contains("i6300esb")).toList());
        f.writeConfig(0x04, 2, 0x1); // I/O only: the memory BAR stays unmapped
        assertEquals(UNMAPPED, f.barAddress(0));
        f.writeConfig(0x04, 2, 0x2);
        assertEquals(0xc0000000L, f.barAddress(0));
        // pci_update_mappings: memory_region_add_subregion_overlap(r->address_space, r->addr, r->memory, 1)
        assertEquals(List.of("    00000000c0000000-00000000c000000f (prio 1, i/o): i6300esb"),
                m.pciMemory().mtreeLines().stream().filter(l -> l.contains("i6300esb")).toList());
        f.writeConfig(0x04, 2, 0x0);
        assertEquals(UNMAPPED, f.barAddress(0));
        assertTrue(m.pciMemory().subregions().isEmpty());
    }

    @Test
    void ioBarDecodesOnlyWithPciCommandIo() {
        var m = machine();
        var f = m.addEmulated("dev", List.of(new BarSpec(0, 0x20, true, false, false)));
        f.writeConfig(0x10, 4, 0xc041);
        f.writeConfig(0x04, 2, 0x2);
        assertEquals(UNMAPPED, f.barAddress(0));
        f.writeConfig(0x04, 2, 0x1);
        assertEquals(0xc040, f.barAddress(0)); // wmask keeps bits 5.. of 0xc041 → 0xc040, type bit 1 read back
        assertTrue(m.pciMemory().subregions().isEmpty(), "an I/O BAR is not in the memory container");
    }

    @Test
    void addressZeroIsUnmappedOnQ35() {
        // pci_bar_address: (!allow_0_address && new_addr == 0) → PCI_BAR_UNMAPPED; pc/q35 leave pci_allow_0_address false
        var m = machine();
        var f = m.addEmulated("dev", List.of(BarSpec.mem32(0, 0x10), new BarSpec(1, 0x20, true, false, false)));
        f.writeConfig(0x04, 2, 0x3);
        assertEquals(UNMAPPED, f.barAddress(0));
        assertEquals(UNMAPPED, f.barAddress(1));
        assertEquals(UNMAPPED, f.effectiveAddress(0));
    }

    @Test
    void a32BitBarEndingAtOrAbove4GIsUnmapped() {
        // pci_bar_address: !(type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last_addr >= UINT32_MAX → unmapped
        var m = machine();
        var f = m.addEmulated("dev", List.of(BarSpec.mem32(0, 0x10)));
        f.writeConfig(0x04, 2, 0x2);
        f.writeConfig(0x10, 4, 0xfffffff0L); // last = 0xffffffff
        assertEquals(UNMAPPED, f.barAddress(0));
        f.writeConfig(0x10, 4, 0xffffffe0L); // last = 0xffffffef
        assertEquals(0xffffffe0L, f.barAddress(0));
    }

    @Test
    void ioBarEndingAtOrAbove4GIsUnmapped() {
        // pci_bar_address, I/O: last_addr >= UINT32_MAX → unmapped
        var m = machine();
        var f = m.addEmulated("dev", List.of(new BarSpec(0, 0x20, true, false, false)));
        f.writeConfig(0x04, 2, 0x1);
        f.writeConfig(0x10, 4, 0xffffffe0L);
        assertEquals(UNMAPPED, f.barAddress(0));
    }

    @Test
    void a64BitBarSpansTwoRegisters() {
        var m = machine();
        var f = m.addEmulated("dev", List.of(new BarSpec(2, 0x4000, false, true, false)));
        f.writeConfig(0x04, 2, 0x2);
        f.writeConfig(0x18, 4, 0x00010000L);
        assertEquals(0x10000L, f.barAddress(2));
        f.writeConfig(0x1c, 4, 0x1); // the upper half moves it above 4G (pci_get_quad)
        assertEquals(0x1_0001_0000L, f.barAddress(2));
        assertEquals(0, f.registeredSize(3), "the upper register is not a BAR of its own");
    }

    @Test
    void moveWhileDecodingRemapsOnce() {
        var m = machine();
        var f = m.addEmulated("i6300esb", List.of(BarSpec.mem32(0, 0x10)));
        f.writeConfig(0x04, 2, 0x2);
        f.writeConfig(0x10, 4, 0xc0000000L);
        f.writeConfig(0x10, 4, 0xc0002000L);
        assertEquals(List.of("    00000000c0002000-00000000c000200f (prio 1, i/o): i6300esb"),
                m.pciMemory().mtreeLines().stream().filter(l -> l.contains("i6300esb")).toList());
    }

    @Test
    void byteWritesToTheBarAndCommandEachUpdateTheMappings() {
        // pci_default_write_config: a 1-byte write inside the BAR range runs pci_update_mappings; so does a write
        // covering byte 0x04; a write to 0x05 alone does not cover PCI_COMMAND (and its bits are not I/O or memory)
        var m = machine();
        var f = m.addEmulated("dev", List.of(BarSpec.mem32(0, 0x1000)));
        f.writeConfig(0x04, 1, 0x2);
        f.writeConfig(0x13, 1, 0xc0);
        assertEquals(0xc0000000L, f.barAddress(0));
        f.writeConfig(0x11, 1, 0x30);
        assertEquals(0xc0003000L, f.barAddress(0));
        f.writeConfig(0x05, 1, 0x04); // INTx disable: writable, no remap
        assertEquals(0x400, f.readConfig(0x04, 2) & 0x400);
        assertEquals(0xc0003000L, f.barAddress(0));
    }

    @Test
    void commandBitsOutsideTheWriteMaskStayZero() {
        // pci_init_wmask: I/O, memory, bus master, INTx disable, SERR are writable; e.g. 0x8 (special cycles) is not
        var m = machine();
        var f = m.addEmulated("dev", List.of(BarSpec.mem32(0, 0x10)));
        f.writeConfig(0x04, 2, 0xffff);
        assertEquals(0x0507, f.readConfig(0x04, 2));
    }

    @Test
    void vfioSubPageBarKeepsItsRegisteredSizeAfterExpansion() {
        // vfio_bar_register → pci_register_bar(..., bar->mr) with bars[nr].size = 0x10; vfio_sub_page_bar_update_mapping
        // later grows the base MR to the page, but r->size (the alignment mask in pci_bar_address) stays 0x10
        var m = machine();
        var host = new HostDevice("0000:00:05.0", List.of(HostBar.mem(0, 0xfebfd000L, 0x10, true)));
        var esb = ((QemuPciFunction.VfioPci.Realized.Ok) QemuPciFunction.VfioPci.realize(m, host, QemuOptions.DEFAULT)).device();
        esb.writeConfig(0x04, 2, 0x2);
        esb.writeConfig(0x10, 4, 0xc0000000L);
        assertEquals(4096, esb.barMemory(0).size(), "expanded to the host page at a page-aligned address");
        assertEquals(0x10, esb.registeredSize(0));
        esb.writeConfig(0x10, 4, 0xc0000010L);
        assertEquals(0xc0000010L, esb.barAddress(0), "aligned to the registered 0x10, not to the expanded page");
        assertEquals(0xfffffff0L, wmaskProbe(esb));
    }

    @Test
    void msixRelocationToAFreeBarRegistersA64BitPrefetchableBar() {
        // vfio_pci_relocate_msix: a new BAR is MEM_TYPE_64 when the next is free too, and PREFETCH always
        var m = machine();
        var host = new HostDevice("0000:00:08.0", List.of(HostBar.mem(0, 0xfe000000L, 0x4000, true)),
                Optional.of(new dev.barmap.model.passthrough.Msix(0, 0x2000, 0, 0x3000, 4)));
        var d = ((QemuPciFunction.VfioPci.Realized.Ok) QemuPciFunction.VfioPci.realize(m, host, QemuOptions.DEFAULT.withMsixRelocation(2))).device();
        assertEquals(0xc, d.registeredType(2));
        assertEquals(0xc, d.readConfig(0x18, 4));
        assertEquals(d.barSize(2), d.registeredSize(2));
        assertFalse(d.isIoBar(2));
    }

    @Test
    void theExpansionRomAndBadWritesAreRefused() {
        var f = machine().addEmulated("dev", List.of(BarSpec.mem32(0, 0x10)));
        assertThrows(IllegalArgumentException.class, () -> f.writeConfig(0x30, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> f.writeConfig(0x10, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> f.writeConfig(0x10, 1, 0x100));
        assertThrows(IllegalArgumentException.class, () -> f.writeConfig(0xfff, 2, 0));
    }

    /** The BAR's write mask, read the way a guest sizes a BAR: write all ones, read back (then restore). */
    static long wmaskProbe(QemuPciFunction f) {
        long old = f.readConfig(0x10, 4);
        int cmd = (int) f.readConfig(0x04, 2);
        f.writeConfig(0x04, 2, 0);
        f.writeConfig(0x10, 4, 0xffffffffL);
        long v = f.readConfig(0x10, 4);
        f.writeConfig(0x10, 4, old);
        f.writeConfig(0x04, 2, cmd);
        return v;
    }
}
