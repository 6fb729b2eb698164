package dev.barmap.cli.report;

/** Whether to colour output: only when stdout is a terminal and NO_COLOR is unset. */
public final class Terminal {
    private Terminal() {}

    public static boolean colour() {
        var c = System.console();
        return c != null && c.isTerminal() && System.getenv("NO_COLOR") == null;
    }

    public static String paint(boolean on, String ansi, String s) {
        return on ? "\u001b[" + ansi + "m" + s + "\u001b[0m" : s;
    }
}
