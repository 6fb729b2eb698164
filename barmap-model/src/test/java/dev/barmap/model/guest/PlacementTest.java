package dev.barmap.model.guest;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class PlacementTest {
    static final GuestPlatform P = new GuestPlatform(new Window(0x10000000L, 0x20000000L), Optional.empty(), new Window(0x1000, 0x10000), Map.of());

    @Test
    void resourceAlignmentGivesListedDevicesTheirOwnPage() {
        var bars = List.of(GuestBar.mem32("a", 0, 0x10), GuestBar.mem32("b", 0, 0x10), GuestBar.mem32("c", 0, 0x100));
        var linux = new LinuxAssign().place(bars, P).addresses();
        assertEquals(0x10000000L, linux.get(new BarKey("c", 0)));
        assertEquals(0x10000100L, linux.get(new BarKey("a", 0)));
        assertEquals(0x10000110L, linux.get(new BarKey("b", 0)));
        // pci=resource_alignment=12@a: a is enlarged to 4 KiB, placed first, nothing else in its page
        var ra = ResourceAlignment.parse("12@a", 0x1000);
        assertEquals(Map.of("a", 0x1000L), ra.alignments());
        var got = ra.place(bars, P).addresses();
        assertEquals(0x10000000L, got.get(new BarKey("a", 0)));
        assertEquals(0x10001000L, got.get(new BarKey("c", 0)));
        assertEquals(0x10001100L, got.get(new BarKey("b", 0)));
    }

    @Test
    void bridgeWindowsAreOneMegabyteGranularSoDevicesBehindThemNeverSharePagesWithTheRootBus() {
        var platform = P.withBridge(1, 0);
        var bars = List.of(GuestBar.mem32("root", 0, 0x10), GuestBar.mem32("behind", 0, 0x10).onBus(1),
                GuestBar.mem32("behind2", 0, 0x100).onBus(1));
        var layout = new LinuxAssign().place(bars, platform);
        Window w = layout.bridgeWindows().get(1);
        assertEquals(0x100000, w.size());
        assertEquals(0, w.start() % 0x100000);
        long behind = layout.addresses().get(new BarKey("behind", 0));
        long behind2 = layout.addresses().get(new BarKey("behind2", 0));
        long root = layout.addresses().get(new BarKey("root", 0));
        assertTrue(behind >= w.start() && behind < w.end());
        assertEquals(w.start(), behind2);                  // sorted by alignment inside the window
        assertEquals(w.start() + 0x100, behind);
        assertTrue(root < w.start() || root >= w.end());
        assertNotEquals(root >> 12, behind >> 12);
    }

    @Test
    void seabiosPadsSmallBarsToFourKilobytes() {
        var bars = List.of(GuestBar.mem32("a", 0, 0x10), GuestBar.mem32("b", 0, 0x10));
        var got = new SeaBios().place(bars, P).addresses();
        assertEquals(0x1fffe000L, got.get(new BarKey("a", 0)));
        assertEquals(0x1ffff000L, got.get(new BarKey("b", 0)));
    }

    @Test
    void slofStartsEveryBarOnItsOwn64k() {
        var bars = List.of(GuestBar.mem32("a", 0, 0x10), GuestBar.mem32("b", 0, 0x20000), GuestBar.mem32("c", 0, 0x10));
        var got = new Slof().place(bars, P).addresses();
        assertEquals(0x10000000L, got.get(new BarKey("a", 0)));
        assertEquals(0x10020000L, got.get(new BarKey("b", 0)));
        assertEquals(0x10040000L, got.get(new BarKey("c", 0)));
    }

    @Test
    void explicitLayoutParsesAndRejectsMisalignedAddresses() {
        var layout = ExplicitLayout.parse("l.txt", """
                # device bar address
                0000:00:05.0 BAR0 0xfebfa000
                0000:00:06.0 0 febfb010   # not aligned to 0x100
                """);
        var bars = List.of(GuestBar.mem32("0000:00:05.0", 0, 0x10), GuestBar.mem32("0000:00:06.0", 0, 0x100),
                GuestBar.mem32("0000:00:07.0", 0, 0x100));
        var got = layout.place(bars, P);
        assertEquals(Map.of(new BarKey("0000:00:05.0", 0), 0xfebfa000L), got.addresses());
        assertTrue(got.unassigned().get(new BarKey("0000:00:06.0", 0)).contains("not aligned"));
        assertTrue(got.unassigned().get(new BarKey("0000:00:07.0", 0)).contains("not in layout"));
        var e = assertThrows(dev.barmap.model.BadInputException.class, () -> ExplicitLayout.parse("bad.txt", "x y\n"));
        assertTrue(e.getMessage().startsWith("bad.txt:1:"));
        var e2 = assertThrows(dev.barmap.model.BadInputException.class, () -> ExplicitLayout.parse("bad.txt", "# c\n0000:00:05.0 BAR0 0xzz\n"));
        assertEquals(2, e2.line());
    }

    @Test
    void windowOverflowIsReportedNotThrown() {
        var tiny = new GuestPlatform(new Window(0x1000, 0x2000), Optional.empty(), new Window(0x1000, 0x1100), Map.of());
        var got = new LinuxAssign().place(List.of(GuestBar.mem32("big", 0, 0x10000)), tiny);
        assertTrue(got.addresses().isEmpty());
        assertTrue(got.unassigned().get(new BarKey("big", 0)).startsWith("no space"));
    }
}
