package dev.barmap.cli.report;

import dev.barmap.cli.Format;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The output formats of one result type: a small registry from {@link Format} to a renderer. A command asks it to
 * render and gets a clean refusal for a format it does not have; its {@code --format} usage text and completion
 * candidates come from the same registry, so the usage message never lists a format the command refuses.
 * Renderers are lambdas so that Jackson is only loaded when JSON is asked for (the text path stays free of it).
 */
public final class Outputs<R> {
    private final String command;
    private final Map<Format, Function<R, String>> renderers;
    /** Formats written piece by piece to the output rather than built as one string (large reports). */
    private final Map<Format, java.util.function.BiConsumer<R, java.io.PrintWriter>> writers;

    private Outputs(String command, Map<Format, Function<R, String>> renderers, Map<Format, java.util.function.BiConsumer<R, java.io.PrintWriter>> writers) {
        this.command = command;
        this.renderers = Collections.unmodifiableMap(renderers);
        this.writers = Collections.unmodifiableMap(writers);
    }

    /** This registry with format {@code f} (which it must have) written by {@code writer} as it is made. */
    public Outputs<R> streaming(Format f, java.util.function.BiConsumer<R, java.io.PrintWriter> writer) {
        if (!has(f)) throw new IllegalArgumentException(command + " has no " + f);
        var w = new EnumMap<Format, java.util.function.BiConsumer<R, java.io.PrintWriter>>(Format.class);
        w.putAll(writers);
        w.put(f, writer);
        return new Outputs<>(command, renderers, w);
    }

    /** Writes the result in format {@code f} to {@code out}: streamed where registered, else rendered then printed. */
    public void write(Format f, R result, java.io.PrintWriter out) {
        var w = writers.get(f);
        if (w != null) w.accept(result, out);
        else out.print(render(f, result));
    }

    public static <R> Outputs<R> of(String command, Function<R, String> text, Function<R, String> json, Function<R, String> html) {
        var m = new EnumMap<Format, Function<R, String>>(Format.class);
        m.put(Format.text, text);
        m.put(Format.json, json);
        if (html != null) m.put(Format.html, html);
        return new Outputs<>(command, m, Map.of());
    }

    public boolean has(Format f) {
        return renderers.containsKey(f);
    }

    public Iterable<String> names() {
        return renderers.keySet().stream().map(Enum::name).toList();
    }

    /** "text, json or html": the formats this command writes. */
    public String describe() {
        var names = renderers.keySet().stream().map(Enum::name).collect(Collectors.toList());
        if (names.size() == 1) return names.getFirst();
        String last = names.removeLast();
        return String.join(", ", names) + " or " + last;
    }

    /** Why {@code f} is refused: "--format html: audit writes text or json". */
    public String refusal(Format f) {
        return "--format " + f + ": " + command + " writes " + describe();
    }

    /** The result in format {@code f}, or {@link Unsupported} naming the formats this command has. */
    public String render(Format f, R result) {
        Function<R, String> r = renderers.get(f);
        if (r == null) throw new Unsupported(refusal(f));
        return r.apply(result);
    }

    /** A format the command does not have. */
    public static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message);
        }
    }

    /** Completion candidates of one registry (for picocli's {@code completionCandidates}). */
    public abstract static class Candidates implements Iterable<String> {
        private final Outputs<?> outputs;

        protected Candidates(Outputs<?> outputs) {
            this.outputs = outputs;
        }

        @Override
        public Iterator<String> iterator() {
            return outputs.names().iterator();
        }
    }
}
