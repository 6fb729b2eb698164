/**
 * barmap-vfio: a userspace-driver library for Linux VFIO (vfio-pci) through {@code java.lang.foreign}:
 * containers, groups and devices ({@link dev.barmap.vfio.Vfio}), mapped and trapped register access
 * ({@link dev.barmap.vfio.RegionAccess}), DMA mappings of Java memory ({@link dev.barmap.vfio.VfioContainer#mapDma}),
 * interrupts through eventfds ({@link dev.barmap.vfio.FfmVfioDevice#enableIrq}, {@link dev.barmap.vfio.EventFd}),
 * reset, and a worked driver for QEMU's edu device ({@link dev.barmap.vfio.edu.EduDevice}).
 * Needs {@code --enable-native-access=dev.barmap.vfio} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.barmap.vfio {
    requires transitive dev.barmap.model;   // automatic module (Automatic-Module-Name of barmap-model.jar)
    requires dev.barmap.host;               // automatic module: ProbeJson, the writer of a capture's vfio.json
    exports dev.barmap.vfio;
    exports dev.barmap.vfio.edu;
    exports dev.barmap.vfio.capture;
}
