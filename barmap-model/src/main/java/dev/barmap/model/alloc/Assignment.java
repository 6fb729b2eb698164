package dev.barmap.model.alloc;

import dev.barmap.model.resource.Resource;
import java.util.List;

/** What pci_assign_resource() did with one BAR. */
public sealed interface Assignment {
    BarRequest bar();

    /** The kernel's log line for it (6.1 stable wording, as in the real runs' console.log). */
    String message();

    /** Steps tried, in order: which window, which type mask, why it failed. */
    List<String> trace();

    default boolean assigned() { return this instanceof Assigned; }

    /** Placed: {@code node} is now a child of {@code window.node()} in the tree. */
    record Assigned(BarRequest bar, Resource node, BusWindow window, List<String> trace) implements Assignment {
        public Assigned {
            trace = List.copyOf(trace);
        }

        public long start() { return node.start(); }

        public long end() { return node.end(); }

        public String message() {
            return bar.owner() + ": " + bar.name() + " " + LinuxBarAllocator.pR(node.start(), node.end(), bar.flags(), false) + ": assigned";
        }
    }

    /**
     * No window of the bus (nor of a transparent bridge's parents) had an aligned free gap:
     * "can't assign; no space", then "failed to assign" (there is no firmware address to fall back to
     * for a hot-added device: pci_revert_fw_address() needs pcibios_retrieve_fw_addr() != 0).
     */
    record NoSpace(BarRequest bar, List<String> trace) implements Assignment {
        public NoSpace {
            trace = List.copyOf(trace);
        }

        public String message() {
            String r = LinuxBarAllocator.pR(0, bar.size() - 1, bar.flags(), true);
            return bar.owner() + ": " + bar.name() + " " + r + ": can't assign; no space\n"
                    + bar.owner() + ": " + bar.name() + " " + r + ": failed to assign";
        }
    }

    /** pci_assign_resource(): "can't assign %pR (bogus alignment)". */
    record BogusAlignment(BarRequest bar) implements Assignment {
        public String message() {
            return bar.owner() + ": " + bar.name() + " " + LinuxBarAllocator.pR(0, bar.size() - 1, bar.flags(), true) + ": can't assign; bogus alignment";
        }

        public List<String> trace() { return List.of(); }
    }
}
