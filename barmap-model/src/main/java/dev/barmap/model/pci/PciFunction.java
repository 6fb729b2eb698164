package dev.barmap.model.pci;

import java.util.List;
import java.util.Optional;

/**
 * A PCI function as the host describes it: address, IDs, class, its resources (sysfs {@code resource}
 * lines: BARs 0-5, ROM 6, SR-IOV 7-12, bridge windows 13-16), and what the host could tell about it
 * (config space, IOMMU group, bound driver). Facts the input could not give are empty, never guessed.
 *
 * @param classCode 24-bit class code as sysfs {@code class}, e.g. {@code 0x020000}
 * @param resources every line of the sysfs {@code resource} file, by index
 * @param msix      the MSI-X capability; empty when the function has none <em>or</em> when it is unknown
 *                  (see {@code msixKnown})
 * @param msixKnown whether the input said if there is an MSI-X capability (config space or lspci seen)
 * @param cfgSize   the CONFIG region size, when known
 */
public record PciFunction(Bdf bdf, int vendor, int device, int classCode, List<Bar> resources,
                          Optional<MsixCapability> msix, boolean msixKnown, Optional<Integer> cfgSize,
                          Optional<String> iommuGroup, Optional<String> driver) {

    public PciFunction {
        resources = List.copyOf(resources);
    }

    /** Resource {@code index} (an empty line if the file had fewer lines). */
    public Bar resource(int index) {
        return index < resources.size() ? resources.get(index) : new Bar(index, 0, 0, 0);
    }

    /** BARs 0-5. */
    public List<Bar> bars() {
        return resources.subList(0, Math.min(6, resources.size()));
    }

    public int baseClass() { return classCode >>> 16; }

    /** Class and subclass, e.g. 0x0604 for a PCI-to-PCI bridge. */
    public int classSub() { return classCode >>> 8; }

    /**
     * Whether the oracle (and {@code barmap scan}) would open this function: every function except host,
     * ISA, PCI-to-PCI and semi-transparent bridges (class 0x0600, 0x0601, 0x0604, 0x0609).
     */
    public boolean passthroughCandidate() {
        int cs = classSub();
        return cs != 0x0600 && cs != 0x0601 && cs != 0x0604 && cs != 0x0609;
    }

    /** {@code vfio_pci_is_vga()}: class PCI_CLASS_DISPLAY_VGA (0x0300). */
    public boolean isVga() { return classSub() == 0x0300; }

    /** Bridge windows (resources 13-16 when the file has 17 lines, 7-10 with 11 lines). */
    public List<Bar> bridgeWindows() {
        int first = resources.size() == 17 ? 13 : resources.size() == 11 ? 7 : -1;
        return first < 0 ? List.of() : resources.subList(first, first + 4);
    }
}
