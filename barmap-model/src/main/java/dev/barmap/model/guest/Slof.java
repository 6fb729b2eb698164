package dev.barmap.model.guest;

import java.util.List;

/**
 * SLOF (pseries firmware, board-qemu/slof/pci-phb.fs and slof/fs/pci-properties.fs): BARs are assigned in scan
 * order from a bump pointer, each aligned to max(64 KiB, size) — so every BAR starts its own 64 KiB page and no
 * gap is reused (as the ppc64le-64k-firmware-aligned capture's /proc/iomem shows). 64-bit BARs go to the 64-bit
 * window.
 */
public record Slof() implements GuestFirmware {
    public static final long MIN_ALIGN = 0x10000;

    @Override
    public String id() { return "slof"; }

    @Override
    public GuestLayout place(List<GuestBar> bars, GuestPlatform platform) {
        return new Placer(id(), Placer.Mode.BUMP,
                GuestBar::size,
                b -> b.io() ? b.size() : Math.max(MIN_ALIGN, b.size()),
                GuestBar::mem64, Placer.SCAN_ORDER, null).place(bars, platform);
    }
}
