package dev.barmap.model.lspci;

import java.util.Map;
import java.util.Optional;

/**
 * The class names lspci prints in place of the class code when run without {@code -n}: base class and
 * subclass as assigned by the PCI Code and ID Assignment specification, spelled as lspci spells them.
 * Only the common ones are listed; what matters most is that every bridge is recognised, because
 * bridges are not passthrough candidates. An unknown name is reported, never guessed.
 */
final class PciClassNames {
    private PciClassNames() {}

    private static final Map<String, Integer> NAMES = Map.ofEntries(
            Map.entry("Non-VGA unclassified device", 0x0000),
            Map.entry("VGA compatible unclassified device", 0x0001),
            Map.entry("SCSI storage controller", 0x0100),
            Map.entry("IDE interface", 0x0101),
            Map.entry("Floppy disk controller", 0x0102),
            Map.entry("RAID bus controller", 0x0104),
            Map.entry("ATA controller", 0x0105),
            Map.entry("SATA controller", 0x0106),
            Map.entry("Serial Attached SCSI controller", 0x0107),
            Map.entry("Non-Volatile memory controller", 0x0108),
            Map.entry("Mass storage controller", 0x0180),
            Map.entry("Ethernet controller", 0x0200),
            Map.entry("Token ring network controller", 0x0201),
            Map.entry("FDDI network controller", 0x0202),
            Map.entry("ATM network controller", 0x0203),
            Map.entry("Infiniband controller", 0x0207),
            Map.entry("Fabric controller", 0x0208),
            Map.entry("Network controller", 0x0280),
            Map.entry("VGA compatible controller", 0x0300),
            Map.entry("XGA compatible controller", 0x0301),
            Map.entry("3D controller", 0x0302),
            Map.entry("Display controller", 0x0380),
            Map.entry("Multimedia video controller", 0x0400),
            Map.entry("Multimedia audio controller", 0x0401),
            Map.entry("Audio device", 0x0403),
            Map.entry("Multimedia controller", 0x0480),
            Map.entry("RAM memory", 0x0500),
            Map.entry("FLASH memory", 0x0501),
            Map.entry("CXL", 0x0502),
            Map.entry("Memory controller", 0x0580),
            Map.entry("Host bridge", 0x0600),
            Map.entry("ISA bridge", 0x0601),
            Map.entry("EISA bridge", 0x0602),
            Map.entry("MicroChannel bridge", 0x0603),
            Map.entry("PCI bridge", 0x0604),
            Map.entry("PCMCIA bridge", 0x0605),
            Map.entry("NuBus bridge", 0x0606),
            Map.entry("CardBus bridge", 0x0607),
            Map.entry("RACEway bridge", 0x0608),
            Map.entry("Semi-transparent PCI-to-PCI bridge", 0x0609),
            Map.entry("InfiniBand to PCI host bridge", 0x060a),
            Map.entry("Bridge", 0x0680),
            Map.entry("Serial controller", 0x0700),
            Map.entry("Parallel controller", 0x0701),
            Map.entry("Communication controller", 0x0780),
            Map.entry("PIC", 0x0800),
            Map.entry("DMA controller", 0x0801),
            Map.entry("Timer", 0x0802),
            Map.entry("RTC", 0x0803),
            Map.entry("IOMMU", 0x0806),
            Map.entry("System peripheral", 0x0880),
            Map.entry("Keyboard controller", 0x0900),
            Map.entry("Mouse controller", 0x0902),
            Map.entry("Input device controller", 0x0980),
            Map.entry("FireWire (IEEE 1394)", 0x0c00),
            Map.entry("SMBus", 0x0c05),
            Map.entry("InfiniBand", 0x0c06),
            Map.entry("USB controller", 0x0c03),
            Map.entry("Serial bus controller", 0x0c80),
            Map.entry("Network and computing encryption device", 0x1000),
            Map.entry("Encryption controller", 0x1080),
            Map.entry("Signal processing controller", 0x1180),
            Map.entry("Processing accelerators", 0x1200),
            Map.entry("Co-processor", 0x0b40),
            Map.entry("Unassigned class", 0xff00));

    /** Class and subclass (16 bits) for a class name as lspci prints it. */
    static Optional<Integer> classSub(String name) {
        Integer v = NAMES.get(name);
        if (v != null) return Optional.of(v);
        // lspci prints "Class xxxx" when it has no name for the class
        if (name.matches("Class [0-9a-fA-F]{4}")) return Optional.of(Integer.parseInt(name.substring(6), 16));
        return Optional.empty();
    }
}
