package dev.barmap.model.guest;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where the guest put each BAR: {@code addresses} maps a BAR to its guest address; BARs the firmware could not
 * place are listed in {@code unassigned} with the reason, and {@code bridgeWindows} records the memory windows
 * given to bridges (bus number → window).
 */
public record GuestLayout(String firmware, Map<BarKey, Long> addresses, Map<BarKey, String> unassigned,
                          Map<Integer, Window> bridgeWindows) {
    public GuestLayout {
        addresses = Collections.unmodifiableMap(new TreeMap<>(addresses));
        unassigned = Collections.unmodifiableMap(new TreeMap<>(unassigned));
        bridgeWindows = Collections.unmodifiableMap(new TreeMap<>(bridgeWindows));
    }

    public GuestLayout(String firmware, Map<BarKey, Long> addresses) {
        this(firmware, addresses, Map.of(), Map.of());
    }

    public Optional<Long> address(BarKey k) { return Optional.ofNullable(addresses.get(k)); }
}
