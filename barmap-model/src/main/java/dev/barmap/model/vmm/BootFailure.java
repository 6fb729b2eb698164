package dev.barmap.model.vmm;

/** The VMM refuses to start (or to add the device): the error text it prints, and the rule that produced it. */
public record BootFailure(String message, Source source) {}
