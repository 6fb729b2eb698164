package dev.barmap.model.passthrough;

/**
 * The device's MSI-X capability (PCI spec: Table Offset/BIR, PBA Offset/BIR, Message Control table size).
 * Table entries are 16 bytes (PCI_MSIX_ENTRY_SIZE); the PBA is one bit per vector, in 8-byte words.
 */
public record Msix(int tableBar, long tableOffset, int pbaBar, long pbaOffset, int entries) {
    public static final int ENTRY_SIZE = 16;

    public Msix {
        if (tableBar < 0 || tableBar > 5 || pbaBar < 0 || pbaBar > 5) throw new IllegalArgumentException("BIR out of range");
        if (entries < 1 || entries > 2048) throw new IllegalArgumentException("entries " + entries);
    }

    public long tableSize() { return (long) entries * ENTRY_SIZE; }

    /** QEMU hw/pci/msix.c msix_init: PBA region size = QEMU_ALIGN_UP(nentries, 64) / 8. */
    public long pbaSize() { return ((entries + 63L) / 64) * 8; }

    public Msix withTable(int bar, long offset) { return new Msix(bar, offset, pbaBar, pbaOffset, entries); }

    public Msix withPbaOffset(long offset) { return new Msix(tableBar, tableOffset, pbaBar, offset, entries); }

    public Msix relocated(int bar, long tableOffset, long pbaOffset) {
        return new Msix(bar, tableOffset, bar, pbaOffset, entries);
    }
}
