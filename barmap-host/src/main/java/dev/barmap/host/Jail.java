package dev.barmap.host;

import dev.barmap.model.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads input files the way hostile captures require (issue 14): a capture root is a jail, so no file whose
 * real path (after every symlink and {@code ..}) leaves the root is opened; only regular files are opened (a
 * FIFO or device would block or never end); and each file has a size cap that fits what the kernel writes there.
 * The live root {@code /} is the exception to the jail (sysfs is all symlinks), not to the caps. Files the user
 * names on the command line get the caps and the regular-file rule, with no jail ({@link #NONE}).
 */
public final class Jail {
    /** sysfs attribute files: a show() routine writes at most one page (fs/sysfs/file.c sysfs_kf_seq_show, PAGE_SIZE). */
    public static final int SYSFS_CAP = 4096;
    /** capture.properties: a handful of key=value lines. */
    public static final int PROPERTIES_CAP = 64 * 1024;
    /** /proc/iomem and lspci text: megabytes on the largest machines; 64 MiB leaves wide room. */
    public static final int TEXT_CAP = 64 * 1024 * 1024;

    /**
     * The bytes this thread may still read for the host it is reading, or null for no limit: {@code fleet}'s
     * per-host size budget (issue 14), set by {@link #withBudget} around one host.
     */
    private static final ThreadLocal<Budget> BUDGET = new ThreadLocal<>();

    private static final class Budget {
        final long max;
        final String option;
        long used;

        Budget(long max, String option) {
            this.max = max;
            this.option = option;
        }
    }

    /**
     * Runs {@code read} with a budget of {@code maxBytes} for all the files it reads through any jail on this
     * thread; the file that takes the total over it is bad input, named with the total and {@code option}.
     */
    public static <T> T withBudget(long maxBytes, String option, java.util.function.Supplier<T> read) {
        Budget prev = BUDGET.get();
        BUDGET.set(new Budget(maxBytes, option));
        try {
            return read.get();
        } finally {
            if (prev == null) BUDGET.remove();
            else BUDGET.set(prev);
        }
    }

    /** No containment: files named by the user. */
    public static final Jail NONE = new Jail(null, null);

    private final Path root;
    private final Path realRoot;

    private Jail(Path root, Path realRoot) {
        this.root = root;
        this.realRoot = realRoot;
    }

    /** The jail of a capture root; none for the live root {@code /}. */
    public static Jail of(Path root) {
        if (root.toAbsolutePath().normalize().toString().equals("/")) return NONE;
        try {
            return new Jail(root, root.toRealPath());
        } catch (IOException e) {
            throw new BadInputException(root.toString(), 0, "cannot open: " + reason(e));
        }
    }

    public boolean live() {
        return root == null;
    }

    /**
     * The real path of {@code p} if it exists, is inside the jail and is a regular file; null when it does not
     * exist (a dangling symlink included).
     */
    Path check(Path p) {
        Path real;
        try {
            real = p.toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new BadInputException(p.toString(), 0, "cannot open: " + reason(e));
        }
        if (realRoot != null && !real.startsWith(realRoot)) {
            throw new BadInputException(p.toString(), 0, "leads outside the capture root " + root + " (symlink or '..'): not read");
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new BadInputException(p.toString(), 0, "cannot open: " + reason(e));
        }
        if (!a.isRegularFile()) {
            throw new BadInputException(p.toString(), 0, a.isDirectory() ? "is a directory, expected a file" : "is not a regular file (a FIFO, socket or device): not read");
        }
        return real;
    }

    /** The file's text (bytes as ISO-8859-1), or null when it does not exist; bad input when larger than {@code cap}. */
    public String read(Path p, int cap) {
        byte[] b = bytes(p, cap, true);
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The first {@code n} bytes (fewer if the file is shorter), or null when it does not exist. */
    public byte[] prefix(Path p, int n) {
        return bytes(p, n, false);
    }

    private byte[] bytes(Path p, int cap, boolean whole) {
        Path real = check(p);
        if (real == null) return null;
        try (InputStream in = Files.newInputStream(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes(whole ? cap + 1 : cap);
            if (whole && b.length > cap) {
                throw new BadInputException(p.toString(), 0, "larger than " + cap + " bytes, more than the kernel writes there: not read");
            }
            Budget budget = BUDGET.get();
            if (budget != null && (budget.used += b.length) > budget.max) {
                throw new BadInputException(p.toString(), 0, "with this file the host's files come to " + budget.used + " bytes, over "
                        + budget.option + " " + budget.max + ": host not read");
            }
            return b;
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            throw new BadInputException(p.toString(), 0, "permission denied");
        } catch (IOException e) {
            throw new BadInputException(p.toString(), 0, "cannot read: " + reason(e));
        }
    }

    /** The size of a regular file inside the jail, 0 when absent. */
    long size(Path p) {
        Path real = check(p);
        if (real == null) return 0;
        try {
            return Files.size(real);
        } catch (IOException e) {
            return 0;
        }
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        String f = e instanceof java.nio.file.FileSystemException fs ? fs.getReason() : null;
        return f != null ? f : m == null ? e.getClass().getSimpleName() : m;
    }
}
