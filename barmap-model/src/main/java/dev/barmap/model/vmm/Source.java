package dev.barmap.model.vmm;

/** Where a rule comes from: project, file, function and version (tag, commit or PR). */
public record Source(String project, String file, String function, String version) {
    @Override
    public String toString() { return project + " " + file + " " + function + " (" + version + ")"; }
}
