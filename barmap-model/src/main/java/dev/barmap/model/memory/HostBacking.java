package dev.barmap.model.memory;

/**
 * What a RAM-device region is an mmap of: {@code hostAddress} is the host physical address backing offset 0
 * of the region (the vfio BAR's host start plus the mmap's offset in the region), {@code owner} a tag naming
 * the device BAR (used by the isolation check to find which host bytes the device may legitimately expose).
 */
public record HostBacking(long hostAddress, Object owner) {}
