package dev.barmap.cli;

import picocli.CommandLine;

/** Parses byte counts given on the command line: {@code 65536}, {@code 64K}, {@code 64KiB}, {@code 0x10000}. */
public final class Sizes implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().toUpperCase(java.util.Locale.ROOT).replace("IB", "").replace("B", "");
        long mult = 1;
        if (v.endsWith("K")) mult = 1024;
        else if (v.endsWith("M")) mult = 1024 * 1024;
        else if (v.endsWith("G")) mult = 1024L * 1024 * 1024;
        if (mult != 1) v = v.substring(0, v.length() - 1);
        try {
            long n = v.startsWith("0X") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CommandLine.TypeConversionException("not a byte count: '" + value + "' (e.g. 4096, 16K, 64K)");
        }
    }
}
