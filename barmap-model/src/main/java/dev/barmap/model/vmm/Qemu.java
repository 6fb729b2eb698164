package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.guest.GuestLayout;
import dev.barmap.model.memory.KvmSlot;
import dev.barmap.model.memory.KvmSlots;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;
import dev.barmap.model.vmm.qemu.QemuMachine;
import dev.barmap.model.vmm.qemu.QemuOptions;
import dev.barmap.model.vmm.qemu.QemuPciFunction;
import dev.barmap.model.vmm.qemu.QemuVersion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * QEMU ≥ 2.8, one policy per modelled release ({@link QemuVersion}: 7.2, 10.0, 11.1, each checked against the real
 * build the nested oracle ran): the guest's BAR writes drive QEMU's memory API ({@link QemuMachine}); KVM slots come
 * from the flat view through kvm_align_section. Sub-page BARs are expanded to the host page only when page-aligned
 * in the guest and re-added at priority 0, so any BAR sharing the page wins and the page loses its slot. The three
 * releases map every BAR alike (the finding, and the commits behind what did change, are on {@link QemuVersion}),
 * so the policies differ only in their id and label.
 *
 * @param version   the QEMU release
 * @param options   the options of every vfio-pci device (and the machine's vfio-no-msix-emulation)
 * @param perDevice host BDF → the options of that device ({@code -device vfio-pci,host=BDF,...}), overriding
 *                  {@code options}
 */
public record Qemu(QemuVersion version, QemuOptions options, Map<String, QemuOptions> perDevice) implements VmmPolicy {
    public static final Qemu V7_2 = new Qemu(QemuVersion.V7_2, QemuOptions.DEFAULT);
    public static final Qemu V10_0 = new Qemu(QemuVersion.V10_0, QemuOptions.DEFAULT);
    public static final Qemu V11_1 = new Qemu(QemuVersion.V11_1, QemuOptions.DEFAULT);
    /** The newest modelled release with QEMU's default options: what {@code barmap plan} runs by default. */
    public static final Qemu DEFAULT = V11_1;

    public Qemu {
        perDevice = Map.copyOf(perDevice);
    }

    public Qemu(QemuVersion version, QemuOptions options) { this(version, options, Map.of()); }

    /** Every modelled release with default options, oldest first. */
    public static List<Qemu> versions() {
        return List.of(V7_2, V10_0, V11_1);
    }

    /** This release with other options for every device and per device. */
    public Qemu with(QemuOptions o, Map<String, QemuOptions> per) { return new Qemu(version, o, per); }

    /** This release with {@code o} for every device (no per-device options). */
    public Qemu with(QemuOptions o) { return new Qemu(version, o, Map.of()); }

    /** The options {@code -device vfio-pci,host=bdf} runs with. */
    public QemuOptions optionsFor(String bdf) { return perDevice.getOrDefault(bdf, options); }

    /** This policy with device {@code bdf} run with {@code o}. */
    public Qemu withDevice(String bdf, QemuOptions o) {
        var m = new java.util.TreeMap<>(perDevice);
        m.put(bdf, o);
        return new Qemu(version, options, m);
    }

    static final Source SUB_PAGE = new Source("qemu", "hw/vfio/pci.c", "vfio_sub_page_bar_update_mapping", "2.8 (95251725e335)");
    static final Source REALIZE = new Source("qemu", "hw/vfio/pci.c", "vfio_realize / vfio_msix_early_setup / vfio_pci_relocate_msix", "7.2; the last two unchanged in 10.x/11.x");
    static final Source ALIGN = new Source("qemu", "accel/kvm/kvm-all.c", "kvm_align_section", "2.12+");
    static final Source QUIRKS = new Source("qemu", "hw/vfio/pci-quirks.c", "vfio_probe_rtl8168_bar2_quirk", "7.2; unchanged in 10.x/11.x");
    static final Source INTX = new Source("qemu", "hw/vfio/pci.c", "vfio_intx_interrupt / vfio_intx_mmap_enable", "7.2");
    static final Source FIXUP = new Source("qemu", "hw/vfio/pci.c", "vfio_pci_fixup_msix_region", "2.6+ (MSIX_MAPPABLE early return since 2.12)");

    @Override
    public String id() { return "qemu-" + version.series(); }

    @Override
    public String family() { return "qemu"; }

    @Override
    public String label() {
        var sb = new StringBuilder("QEMU ").append(version.series());
        if (!options.describe().isEmpty()) sb.append(' ').append(options.describe().substring(1));
        perDevice.forEach((bdf, o) -> sb.append(" [").append(bdf).append(o.describe()).append(']'));
        return sb.toString();
    }

    @Override
    public List<Source> sources() { return List.of(SUB_PAGE, FIXUP, REALIZE, QUIRKS, INTX, ALIGN); }

    @Override
    public VmmRun run(Topology topology, GuestFirmware firmware, long hostPageSize) {
        var machine = new QemuMachine(hostPageSize);
        Map<BarKey, GuestBar> guestBars = new LinkedHashMap<>();
        Map<BarKey, HostBar> hostBars = new HashMap<>();
        Map<String, QemuPciFunction> functions = new LinkedHashMap<>();
        for (Passthrough p : topology.devices()) {
            var r = QemuPciFunction.VfioPci.realize(machine, p.host(), optionsFor(p.host().bdf()));
            if (r instanceof QemuPciFunction.VfioPci.Realized.Failed f) {
                return failed(new BootFailure(f.cause(), "-device vfio-pci,host=" + p.host().bdf() + ": " + f.error(), false, REALIZE),
                        guestBars, hostBars);
            }
            var dev = ((QemuPciFunction.VfioPci.Realized.Ok) r).device();
            functions.put(p.guestName(), dev);
            for (int i = 0; i < 6; i++) {
                if (dev.barSize(i) == 0) continue;
                BarKey k = new BarKey(p.guestName(), i);
                HostBar hb = p.host().bar(i).orElse(null);
                boolean mem64 = hb != null ? hb.mem64() : dev.barSize(i) > 0;   // a relocated MSI-X BAR is 64-bit
                boolean pref = hb == null || hb.prefetchable();
                guestBars.put(k, new GuestBar(k, dev.barSize(i), dev.isIoBar(i), mem64 && !dev.isIoBar(i), pref, p.bus()));
                if (hb != null) hostBars.put(k, hb);
            }
        }
        // emulated devices: one function per device name
        Map<String, long[]> emu = new LinkedHashMap<>();
        for (GuestBar b : topology.emulated()) {
            emu.computeIfAbsent(b.key().device(), d -> new long[6])[b.key().index()] = b.size();
            guestBars.put(b.key(), b);
        }
        emu.forEach((name, sizes) -> functions.put(name, machine.addEmulated(name, sizes)));

        GuestLayout layout = firmware.place(List.copyOf(guestBars.values()), topology.platform());
        // the guest programs every BAR it placed (pci_update_mappings, then vfio's sub-page update)
        for (var e : layout.addresses().entrySet()) {
            QemuPciFunction f = functions.get(e.getKey().device());
            if (f != null && f.barMemory(e.getKey().index()) != null) f.programBar(e.getKey().index(), e.getValue());
        }

        List<DirectMapping> direct = new ArrayList<>();
        // a slot's guest name: the first function, in realize order, that passes its host BDF through, else the BDF
        // (looked up in a map: a scan of every function per slot was quadratic, issue 14)
        Map<String, String> guestNameOf = new HashMap<>();
        for (var e : functions.entrySet()) {
            if (e.getValue() instanceof QemuPciFunction.VfioPci v) guestNameOf.putIfAbsent(v.host().bdf(), e.getKey());
        }
        for (KvmSlot s : machine.kvmSlots()) {
            if (s.region().backing() == null) continue; // guest RAM would be here; the model has none
            // kvm_set_phys_mem: the userspace address (mmap start + offset) must be page-aligned too, else KVM says
            // EINVAL and QEMU aborts
            var err = KvmSlots.check(s.guestStart(), s.size(), s.offsetInRegion(), hostPageSize);
            if (err.isPresent()) {
                return failed(new BootFailure(BootFailure.Cause.KVM_SLOT_REFUSED, "kvm_set_phys_mem: error registering slot: Invalid argument (" + err.get() + ")", false, ALIGN), guestBars, hostBars);
            }
            var ref = (QemuPciFunction.BarRef) s.region().backing().owner();
            String guestName = guestNameOf.getOrDefault(ref.bdf(), ref.bdf());
            direct.add(new DirectMapping(new BarKey(guestName, ref.bar()), s.guestStart(), s.size(), s.hostStart()));
        }

        List<EmulatedRange> emulated = new ArrayList<>();
        Map<BarKey, List<MmapArea>> mmaps = new HashMap<>();
        Map<BarKey, String> notes = new HashMap<>();
        for (var e : functions.entrySet()) {
            if (!(e.getValue() instanceof QemuPciFunction.VfioPci v)) continue;
            QemuOptions o = optionsFor(v.host().bdf());
            v.msix().ifPresent(m -> {
                addRange(emulated, v, e.getKey(), m.tableBar(), m.tableOffset(), m.tableSize(), EmulatedRange.Kind.MSIX_TABLE,
                        !o.noMsixEmulation());
                addRange(emulated, v, e.getKey(), m.pbaBar(), m.pbaOffset(), m.pbaSize(), EmulatedRange.Kind.MSIX_PBA,
                        o.pbaEmulated());
            });
            if (v.host().is(0x10ec, 0x8168) && v.regionSize(2) > 0 && v.barAddress(2) != QemuPciFunction.UNMAPPED) {
                // vfio_probe_rtl8168_bar2_quirk: the windows at BAR2 +0x70 and +0x74 (4 bytes each)
                emulated.add(new EmulatedRange(new BarKey(e.getKey(), 2), v.barAddress(2) + 0x70, 8, EmulatedRange.Kind.QUIRK));
            }
            if (o.msixRelocation().isPresent() && v.host().msix().isPresent() && v.msix().isPresent()) {
                // vfio_pci_relocate_msix: the table and PBA now live in the target BAR, past any host bytes
                Msix now = v.msix().get();
                long at = v.barAddress(now.tableBar());
                notes.put(new BarKey(e.getKey(), v.host().msix().get().tableBar()), String.format(
                        "x-msix-relocation=bar%d: the MSI-X table moved to BAR%d +0x%x%s (guest BAR%d is %s)", now.tableBar(), now.tableBar(),
                        now.tableOffset(), at == QemuPciFunction.UNMAPPED ? "" : String.format(" = guest %x", at + now.tableOffset()),
                        now.tableBar(), dev.barmap.model.vfio.Sizes.human(v.barSize(now.tableBar()))));
            }
            for (int i = 0; i < 6; i++) {
                if (v.regionSize(i) == 0) continue;
                BarKey k = new BarKey(e.getKey(), i);
                mmaps.put(k, v.mappedAreas(i));
                if (v.regionSize(i) < hostPageSize && !v.isIoBar(i) && !v.mmaps(i).isEmpty()) {
                    notes.put(k, (v.barAddress(i) & (hostPageSize - 1)) == 0
                            ? "sub-page BAR page-aligned in the guest: expanded to the host page at priority 0"
                            : "sub-page BAR not page-aligned in the guest: kept at its size (kvm_align_section drops it)");
                }
            }
        }
        var warnings = new ArrayList<>(machine.warnings());
        for (Passthrough p : topology.devices()) {
            if (p.host().msix().isPresent()) continue;
            // hw/vfio/pci.c vfio_intx_interrupt / vfio_intx_mmap_enable (QEMU 7.2): while INTx is handled in QEMU
            // (no KVM resampling irqfd), each interrupt disables the BAR mmaps until x-intx-mmap-timeout-ms (1100) of quiet
            warnings.add(p.guestName() + (p.host().msixKnown() ? ": no MSI-X" : ": MSI-X unknown")
                    + "; if it interrupts with INTx handled in QEMU (not KVM's resampling irqfd), every interrupt unmaps all its BARs "
                    + "(trapped) until x-intx-mmap-timeout-ms (default 1100) passes without one (barmap's description)");
        }
        return new VmmRun(id(), Optional.empty(), guestBars, hostBars, layout, direct, emulated, mmaps, notes, warnings);
    }

    private static void addRange(List<EmulatedRange> out, QemuPciFunction.VfioPci v, String name, int bar, long off, long size,
                                 EmulatedRange.Kind kind, boolean enabled) {
        long a = v.barAddress(bar);
        if (!enabled || a == QemuPciFunction.UNMAPPED) return;
        out.add(new EmulatedRange(new BarKey(name, bar), a + off, size, kind));
    }

    private VmmRun failed(BootFailure f, Map<BarKey, GuestBar> guestBars, Map<BarKey, HostBar> hostBars) {
        return new VmmRun(id(), Optional.of(f), guestBars, hostBars, null, List.of(), List.of(), Map.of(), Map.of(), List.of());
    }
}
