package dev.barmap.model.plan;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.Msix;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads src/test/resources/captures/hostbars.txt (see PROVENANCE.md there). */
record CaptureFixture(String name, long pageSize, String arch, List<HostDevice> devices, Map<BarKey, Long> hostAddresses,
                      List<GuestBar> asGuestBars) {

    static Map<String, CaptureFixture> load() throws IOException {
        String text;
        try (InputStream in = CaptureFixture.class.getResourceAsStream("/captures/hostbars.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var out = new LinkedHashMap<String, CaptureFixture>();
        String name = null, arch = null;
        long page = 0;
        Map<String, List<HostBar>> bars = new LinkedHashMap<>();
        Map<String, Msix> msix = new LinkedHashMap<>();
        Map<BarKey, Long> addrs = new LinkedHashMap<>();
        List<GuestBar> guest = new ArrayList<>();
        for (String line : (text + "\ncapture END pageSize=0 arch=-").lines().toList()) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "capture" -> {
                    if (name != null) {
                        var devs = new ArrayList<HostDevice>();
                        for (var e : bars.entrySet()) devs.add(new HostDevice(e.getKey(), e.getValue(), Optional.ofNullable(msix.get(e.getKey()))));
                        out.put(name, new CaptureFixture(name, page, arch, devs, Map.copyOf(addrs), List.copyOf(guest)));
                    }
                    name = f[1];
                    page = Long.parseLong(f[2].substring("pageSize=".length()));
                    arch = f[3].substring("arch=".length());
                    bars = new LinkedHashMap<>();
                    msix = new LinkedHashMap<>();
                    addrs = new LinkedHashMap<>();
                    guest = new ArrayList<>();
                }
                case "bar" -> {
                    int idx = Integer.parseInt(f[2]);
                    long start = Long.parseLong(f[3], 16), size = Long.parseLong(f[4], 16);
                    boolean io = f[5].equals("io"), m64 = f[6].equals("64"), pref = f[7].equals("pref");
                    bars.computeIfAbsent(f[1], k -> new ArrayList<>()).add(new HostBar(idx, start, size, io, m64, pref,
                            f[8].equals("mmap"), f[9].equals("msixmappable"), Optional.empty()));
                    addrs.put(new BarKey(f[1], idx), start);
                    guest.add(new GuestBar(new BarKey(f[1], idx), size, io, m64, pref, 0));
                }
                case "rom" -> {
                    long start = Long.parseLong(f[3], 16), size = Long.parseLong(f[4], 16);
                    addrs.put(new BarKey(f[1], 6), start);
                    guest.add(new GuestBar(new BarKey(f[1], 6), size, false, false, false, 0));
                }
                case "msix" -> msix.put(f[1], new Msix(Integer.parseInt(f[2]), Long.parseLong(f[3], 16),
                        Integer.parseInt(f[4]), Long.parseLong(f[5], 16), Integer.parseInt(f[6])));
                default -> { }
            }
        }
        return out;
    }
}
