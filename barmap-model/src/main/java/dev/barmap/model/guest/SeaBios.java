package dev.barmap.model.guest;

import java.util.List;

/**
 * SeaBIOS src/fw/pciinit.c (1.16): pci_bios_check_devices pads every memory BAR below PCI_DEVICE_MEM_MIN
 * (4 KiB) to 4 KiB, so each small BAR gets a 4 KiB guest page of its own; entries are sorted by alignment
 * (largest first) and pci_bios_init_root_regions packs them upward from {@code ALIGN_DOWN(end - sum, maxAlign)}.
 * 64-bit BARs stay below 4 GiB unless they do not fit (pci_bios_check_devices moves them to the 64-bit window);
 * this model moves a 64-bit BAR above 4 GiB only when it is at least 256 MiB. Prefetchable BARs form their own
 * region, packed at the top of the window, with the non-prefetchable region right below it.
 */
public record SeaBios() implements GuestFirmware {
    /** pciinit.c PCI_DEVICE_MEM_MIN. */
    public static final long MEM_MIN = 0x1000;

    @Override
    public String id() { return "seabios"; }

    @Override
    public GuestLayout place(List<GuestBar> bars, GuestPlatform platform) {
        return new Placer(id(), Placer.Mode.TOP_PACKED,
                b -> b.io() ? b.size() : Math.max(MEM_MIN, b.size()),
                b -> b.io() ? b.size() : Math.max(MEM_MIN, b.size()),
                b -> b.mem64() && b.size() >= (256L << 20),
                Placer.BY_ALIGN_DESC, null).splitPrefetchable().place(bars, platform);
    }
}
