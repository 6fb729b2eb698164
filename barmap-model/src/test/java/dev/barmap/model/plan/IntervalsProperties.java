package dev.barmap.model.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** {@link Intervals} answers exactly the linear filter {@code start < e && end > s} it replaces in {@link Plan}, in list order. */
class IntervalsProperties {
    @Provide
    Arbitrary<long[]> ranges() {
        // small coordinates (many overlaps, empty and inverted ranges) and a few near the signed limits
        Arbitrary<Long> x = Arbitraries.oneOf(Arbitraries.longs().between(-40, 40),
                Arbitraries.of(Long.MAX_VALUE, Long.MAX_VALUE - 7, Long.MIN_VALUE, Long.MIN_VALUE + 5));
        return x.list().ofSize(2).map(l -> new long[] {l.get(0), l.get(1)});
    }

    @Property(tries = 2000, seed = "20261130")
    void sameAsTheLinearFilter(@ForAll @Size(max = 40) List<@From("ranges") long[]> items, @ForAll @From("ranges") long[] query) {
        var index = new Intervals<>(items, r -> r[0], r -> r[1]);
        long s = query[0], e = query[1];
        int[] want = IntStream.range(0, items.size()).filter(i -> items.get(i)[0] < e && items.get(i)[1] > s).toArray();
        assertArrayEquals(want, index.overlapping(s, e));
    }
}
