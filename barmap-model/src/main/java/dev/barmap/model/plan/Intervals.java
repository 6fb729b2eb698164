package dev.barmap.model.plan;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Half-open ranges [start, end) found by address (issue 14: {@code plan} at 100k functions): sorted by start
 * (signed, as {@link Plan}'s arithmetic compares them) with the running maximum end, so a query costs O(log n) plus
 * the ranges it walks past. The answer is exactly the ranges with {@code start < e && end > s}, the test the
 * linear scans it replaces made, in their original (list) order.
 */
final class Intervals<T> {
    private final List<T> items;
    private final int[] order;
    private final long[] start, end, maxEnd;

    Intervals(List<T> items, ToLongFunction<T> startOf, ToLongFunction<T> endOf) {
        this.items = items;
        int n = items.size();
        long[] s = new long[n], e = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = startOf.applyAsLong(items.get(i));
            e[i] = endOf.applyAsLong(items.get(i));
        }
        order = java.util.stream.IntStream.range(0, n).boxed()
                .sorted((x, y) -> Long.compare(s[x], s[y])).mapToInt(Integer::intValue).toArray();
        start = new long[n];
        end = new long[n];
        maxEnd = new long[n];
        for (int i = 0; i < n; i++) {
            start[i] = s[order[i]];
            end[i] = e[order[i]];
            maxEnd[i] = i == 0 ? end[i] : Math.max(maxEnd[i - 1], end[i]);
        }
    }

    /** The positions (in the list given) of the ranges with start < e and end > s, ascending. */
    int[] overlapping(long s, long e) {
        int lo = 0, hi = start.length; // first position whose start >= e
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (start[mid] < e) lo = mid + 1;
            else hi = mid;
        }
        int[] out = new int[4];
        int k = 0;
        for (int i = lo - 1; i >= 0 && maxEnd[i] > s; i--) {
            if (end[i] > s) {
                if (k == out.length) out = Arrays.copyOf(out, 2 * k);
                out[k++] = order[i];
            }
        }
        out = Arrays.copyOf(out, k);
        Arrays.sort(out);
        return out;
    }

    T get(int position) { return items.get(position); }
}
