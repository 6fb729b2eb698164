package dev.barmap.model.vmm.qemu;

import dev.barmap.model.BadInputException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QEMU release (major.minor.micro); the modelled ones are the real builds the nested QEMU oracle ran: it ran each
 * as the VMM for the same outer vfio-pci host (Linux 6.1.192) and the same seven scenarios
 * ({@code testdata/qemu-nested/qemu-VERSION/}, {@code oracle/qemu/scenarios/}).
 *
 * <p>The finding: for everything barmap models, 10.0 and 11.1 behave as 7.2 did. In every scenario and at every dump
 * point the "memory" flat view ({@code info mtree -f}) and the "pci" container ({@code info mtree}) of the three runs
 * are the same line for line ({@code QemuVersionsTest}), and the functions the model follows have the same body in
 * 7.2 and in the split hw/vfio of 10.x/11.x (read in QEMU's sources): hw/vfio/pci.c
 * {@code vfio_sub_page_bar_update_mapping}, {@code vfio_pci_fixup_msix_region}, {@code vfio_msix_early_setup} /
 * {@code vfio_pci_relocate_msix} (now returning bool), {@code vfio_msix_setup} (the PBA region disabled, the table
 * region disabled under {@code vfio-no-msix-emulation}), {@code vfio_bar_register} ("%s base BAR %d");
 * hw/vfio/region.c {@code vfio_region_mmap} ("%s mmaps[%d]"; hw/vfio/common.c in 7.2); hw/vfio/pci-quirks.c
 * {@code vfio_probe_rtl8168_bar2_quirk}; accel/kvm/kvm-all.c {@code kvm_align_section}. The format strings
 * "%s BAR %d", "%s base BAR %d", "%s mmaps[%d]" and the quirk names are in the 10.0.13 and 11.1.3 binaries too.
 *
 * <p>What did differ, none of it in a mapping (so no policy maps differently; {@code barmap plan} prints none of it):
 * <table>
 * <caption>Differences seen between the real runs</caption>
 * <tr><th>what</th><th>7.2.22</th><th>10.0.13, 11.1.3</th><th>source</th></tr>
 * <tr><td>stderr for a section not aligned to the host page (the vfio DMA listener, not KVM)</td>
 *     <td>"vfio_listener_region_add received unaligned region ..." and "vfio_listener_region_del received
 *     unaligned region ..."</td>
 *     <td>"vfio_listener_valid_section received unaligned region ..." for both ({@link #unalignedReporter})</td>
 *     <td>b92f237635054189ae10c0c98aeec9f982f1335f "vfio/common: Consolidate skip/invalid section into helper"
 *     (Joao Martins, QEMU 8.0): the check moved into the helper, whose {@code __func__} the message prints</td></tr>
 * <tr><td>{@code info pci}</td><td>"... [0x...]." and an unplaced BAR at 0xffff...</td>
 *     <td>no final "." and "(not mapped)"</td>
 *     <td>"hw/pci/pci-hmp-cmds: Avoid displaying bogus size in 'info pci'" (QEMU 9.2,
 *     20240801131449.51328-1-philmd@linaro.org); read by {@code MonitorDump}</td></tr>
 * <tr><td>stderr at realize, on a kernel without the vfio dma-buf feature (the outer Linux 6.1)</td><td>-</td>
 *     <td>11.1.3 only: "warning: VFIO dma-buf not supported in kernel, using mmap fallback, P2P DMA will not work"
 *     once per device; the BAR mmaps are made as before</td>
 *     <td>8cfaf22668c7a9ed79f8b8f0910a2f69b4cfaae6 "hw/vfio/region: Create dmabuf for PCI BAR per region"
 *     (Nicolin Chen, QEMU 11.0; its text was "... PCI BAR IOMMU mappings may fail"); the 11.1.3 wording is from
 *     the 11.1.3 binary, the commit that reworded it was not found in the sources read</td></tr>
 * </table>
 *
 * The Debian packages of the three builds: 1:7.2+dfsg-7+deb12u18+b3 (bookworm), 1:10.0.13+ds-0+deb13u1 (trixie),
 * 1:11.1.3+ds-1~bpo13+1 (trixie-backports).
 */
public record QemuVersion(int major, int minor, int micro) implements Comparable<QemuVersion> {
    public static final QemuVersion V7_2 = new QemuVersion(7, 2, 22);
    public static final QemuVersion V10_0 = new QemuVersion(10, 0, 13);
    public static final QemuVersion V11_1 = new QemuVersion(11, 1, 3);

    private static final Pattern BANNER = Pattern.compile("QEMU emulator version (\\d+)\\.(\\d+)\\.(\\d+)");

    /** The modelled releases, oldest first. */
    public static List<QemuVersion> all() { return List.of(V7_2, V10_0, V11_1); }

    /** From {@code qemu-system-x86_64 --version}'s first line ("QEMU emulator version 10.0.13 (Debian ...)"). */
    public static QemuVersion parse(String source, String text) {
        Matcher m = BANNER.matcher(text);
        if (!m.find()) throw new BadInputException(source, 1, "no 'QEMU emulator version X.Y.Z'");
        return new QemuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** The release series, as in the policy id ({@code qemu-10.0}) and label. */
    public String series() { return major + "." + minor; }

    /**
     * The function that reports a vfio listener section whose guest address and region offset disagree below the
     * host page (its {@code __func__} starts the message). Up to 7.2: vfio_listener_region_add and
     * vfio_listener_region_del each check (hw/vfio/common.c); from 8.0 both call vfio_listener_valid_section
     * (b92f23763505, Joao Martins, "vfio/common: Consolidate skip/invalid section into helper", pulled 2023-03-07 for 8.0;
     * hw/vfio/listener.c from 10.0).
     */
    public String unalignedReporter(boolean add) {
        if (major >= 8) return "vfio_listener_valid_section";
        return add ? "vfio_listener_region_add" : "vfio_listener_region_del";
    }

    @Override
    public int compareTo(QemuVersion o) {
        if (major != o.major) return Integer.compare(major, o.major);
        if (minor != o.minor) return Integer.compare(minor, o.minor);
        return Integer.compare(micro, o.micro);
    }

    @Override
    public String toString() { return major + "." + minor + "." + micro; }
}
