package dev.barmap.model.memory;

/**
 * A KVM memory slot (KVM_SET_USER_MEMORY_REGION): guest pages [{@code guestStart}, {@code guestStart + size})
 * are backed directly by {@code region} from {@code offsetInRegion}. Accesses there never exit to the VMM.
 */
public record KvmSlot(long guestStart, long size, MemoryRegion region, long offsetInRegion) {
    public long guestEnd() { return guestStart + size; }

    /** Host physical address behind the slot's first byte, for RAM-device regions; -1 otherwise. */
    public long hostStart() {
        HostBacking b = region.backing();
        return b == null ? -1 : b.hostAddress() + offsetInRegion;
    }
}
