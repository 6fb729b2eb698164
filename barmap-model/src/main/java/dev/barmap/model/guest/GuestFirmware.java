package dev.barmap.model.guest;

import java.util.List;

/**
 * Who assigns guest BAR addresses, and how. Each strategy names its source.
 */
public sealed interface GuestFirmware permits SeaBios, LinuxAssign, Slof, ResourceAlignment, ExplicitLayout {
    /** Short id for tables and the CLI ("seabios", "linux", "slof", ...). */
    String id();

    /** Place every BAR; BARs that do not fit are reported in {@link GuestLayout#unassigned()}. */
    GuestLayout place(List<GuestBar> bars, GuestPlatform platform);
}
