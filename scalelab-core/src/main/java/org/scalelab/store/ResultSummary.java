package org.scalelab.store;

/** One line of {@link LabStore#listResults()}: which analysis, when, by which version, with which seed. */
public record ResultSummary(long resultId, String analysis, String createdAt, String version, Long seed) {}
