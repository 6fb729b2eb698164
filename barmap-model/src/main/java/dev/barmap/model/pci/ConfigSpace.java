package dev.barmap.model.pci;

import java.util.Arrays;
import java.util.Optional;

/**
 * Configuration-space bytes as sysfs {@code config} gives them to root (256 bytes, or 4096 for PCIe
 * functions whose extended space is reachable). Offsets from include/uapi/linux/pci_regs.h.
 */
public final class ConfigSpace {
    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int STATUS = 0x06;
    public static final int STATUS_CAP_LIST = 0x10;
    public static final int CLASS_REVISION = 0x08;
    public static final int HEADER_TYPE = 0x0e;
    public static final int CAPABILITY_LIST = 0x34;
    public static final int CB_CAPABILITY_LIST = 0x14;
    public static final int CAP_ID_MSIX = 0x11;
    public static final int MSIX_FLAGS = 2;
    public static final int MSIX_TABLE = 4;
    public static final int MSIX_PBA = 8;
    public static final int MSIX_FLAGS_QSIZE = 0x07ff;
    public static final int MSIX_BIR = 0x7;

    private final byte[] bytes;

    private ConfigSpace(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps config bytes; at least the 64-byte header is needed to say anything. */
    public static ConfigSpace of(byte[] bytes) {
        if (bytes.length < 64) throw new IllegalArgumentException("config space has " + bytes.length + " bytes, need at least the 64-byte header");
        return new ConfigSpace(bytes.clone());
    }

    public int length() { return bytes.length; }

    public byte[] bytes() { return bytes.clone(); }

    /** vfio's CONFIG region size: {@code pdev->cfg_size}, 4096 when extended space is present, else 256. */
    public int cfgSize() { return bytes.length >= 4096 ? 4096 : 256; }

    public int u8(int off) { return off < bytes.length ? bytes[off] & 0xff : 0xff; }

    public int u16(int off) { return u8(off) | u8(off + 1) << 8; }

    public long u32(int off) { return (u16(off) | (long) u16(off + 2) << 16) & 0xffffffffL; }

    public int vendor() { return u16(VENDOR_ID); }

    public int device() { return u16(DEVICE_ID); }

    public int headerType() { return u8(HEADER_TYPE) & 0x7f; }

    /**
     * {@code pci_find_capability()} (drivers/pci/pci.c): walks the standard capability list, at most
     * 48 hops (PCI_FIND_CAP_TTL), pointers masked to dword alignment.
     *
     * @return the capability's offset, or -1
     */
    public int findCapability(int id) {
        if ((u16(STATUS) & STATUS_CAP_LIST) == 0) return -1;
        int pos = u8(headerType() == 2 ? CB_CAPABILITY_LIST : CAPABILITY_LIST);
        for (int ttl = 48; ttl > 0 && pos >= 0x40; ttl--) {
            pos &= ~3;
            int capId = u8(pos);
            if (capId == 0xff) break;
            if (capId == id) return pos;
            pos = u8(pos + 1);
        }
        return -1;
    }

    /** The MSI-X capability, when the function has one. */
    public Optional<MsixCapability> msix() {
        int pos = findCapability(CAP_ID_MSIX);
        if (pos < 0) return Optional.empty();
        int flags = u16(pos + MSIX_FLAGS);
        long table = u32(pos + MSIX_TABLE);
        long pba = u32(pos + MSIX_PBA);
        return Optional.of(new MsixCapability((int) (table & MSIX_BIR), table & ~MSIX_BIR,
                (flags & MSIX_FLAGS_QSIZE) + 1, (int) (pba & MSIX_BIR), pba & ~MSIX_BIR));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigSpace c && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(bytes); }
}
