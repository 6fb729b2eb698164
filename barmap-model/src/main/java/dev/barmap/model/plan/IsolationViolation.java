package dev.barmap.model.plan;

/**
 * A direct-mapped guest range that reaches host bytes outside the owning device BAR and its "vfio sub-page
 * reserved" dummy, or a slot that is not page-granular. Must never happen.
 */
public record IsolationViolation(String vmm, String owner, long guestStart, long size, long hostStart, long allowedStart,
                                 long allowedEnd, String what) {}
