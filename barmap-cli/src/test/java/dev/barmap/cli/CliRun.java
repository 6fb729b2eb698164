package dev.barmap.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the barmap command in-process, capturing exit code, stdout and stderr (test helper). */
record CliRun(int rc, String out, String err) {

    static CliRun of(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int rc = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new CliRun(rc, out.toString(), err.toString());
    }
}
