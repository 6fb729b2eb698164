package dev.barmap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * What barmap writes to stdout and stderr passes through here: text taken from capture files (resource names,
 * lspci names, error quotes) must not reach the terminal as control characters or escape sequences. C0 controls
 * other than newline and tab, DEL, C1 controls and the bidirectional overrides are written as {@code \xNN} /
 * {@code \u202e}; ESC is let through only for barmap's own colour and line-clearing sequences
 * ({@code ESC [ digits ; m|K|G}) and only when colour is on (stdout a terminal). A write error of the
 * underlying stream is thrown (not swallowed as PrintWriter/PrintStream do), so {@link PrintWriter#checkError()}
 * on the wrapping writer reports it and barmap exits 3.
 */
final class SafeWriter extends Writer {
    private final Writer out;
    private final boolean allowCsi;

    SafeWriter(Writer out, boolean allowCsi) {
        this.out = out;
        this.allowCsi = allowCsi;
    }

    @Override
    public void write(char[] buf, int off, int len) throws IOException {
        int end = off + len, run = off;
        for (int i = off; i < end; i++) {
            char c = buf[i];
            if (c >= 0x20 && c < 0x7f || c == '\n' || c == '\t') continue;
            if (c >= 0xa0 && !bidi(c)) continue;
            int csi = c == 0x1b && allowCsi ? csiEnd(buf, i, end) : -1;
            if (csi > 0) {
                i = csi - 1;
                continue;
            }
            out.write(buf, run, i - run);
            out.write(escape(c));
            run = i + 1;
        }
        out.write(buf, run, end - run);
    }

    /** The end (exclusive) of an {@code ESC [ [0-9;]* (m|K|G)} sequence starting at {@code i}, or -1. */
    private static int csiEnd(char[] b, int i, int end) {
        if (i + 2 >= end || b[i + 1] != '[') return -1;
        for (int j = i + 2; j < end && j < i + 24; j++) {
            char c = b[j];
            if (c == 'm' || c == 'K' || c == 'G') return j + 1;
            if (!(c >= '0' && c <= '9' || c == ';')) return -1;
        }
        return -1;
    }

    private static boolean bidi(char c) {
        return c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069;
    }

    static String escape(char c) {
        return c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
        if (out instanceof PrintWriter pw && pw.checkError()) throw new IOException("write error");
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
