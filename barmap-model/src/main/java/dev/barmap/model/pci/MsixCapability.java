package dev.barmap.model.pci;

/**
 * The MSI-X capability (PCI_CAP_ID_MSIX = 0x11, include/uapi/linux/pci_regs.h): table and PBA
 * location. vfio-pci reads it in vfio_pci_core_enable(): {@code msix_bar = table & PCI_MSIX_TABLE_BIR},
 * {@code msix_offset = table & PCI_MSIX_TABLE_OFFSET}, {@code msix_size = ((flags & PCI_MSIX_FLAGS_QSIZE) + 1) * 16}.
 */
public record MsixCapability(int tableBir, long tableOffset, int entries, int pbaBir, long pbaOffset) {
    /** PCI_MSIX_ENTRY_SIZE. */
    public static final int ENTRY_SIZE = 16;

    /** vfio's msix_size: the table's length in bytes. */
    public long tableSize() { return (long) entries * ENTRY_SIZE; }

    /** PBA length: one bit per vector, in qwords. */
    public long pbaSize() { return ((entries + 63L) / 64) * 8; }
}
