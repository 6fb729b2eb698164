package dev.barmap.cli;

/** Output formats. */
public enum Format { text, json, html }
