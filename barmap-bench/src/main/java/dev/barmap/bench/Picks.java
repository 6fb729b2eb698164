package dev.barmap.bench;

import java.util.Random;

/** Indices 0..n-1 in a seeded random order, repeating: one batch of up to n picks never picks an index twice. */
final class Picks {
    /** Calls per measured sample of the benchmarks that change their state ({@code SingleShotTime} batches). */
    static final int BATCH = 100;

    private final int[] perm;
    private int cursor;

    Picks(int n, Random rnd) {
        perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
    }

    int next() {
        int i = perm[cursor];
        cursor = cursor + 1 == perm.length ? 0 : cursor + 1;
        return i;
    }
}
