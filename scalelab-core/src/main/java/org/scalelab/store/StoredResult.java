package org.scalelab.store;

import com.fasterxml.jackson.databind.JsonNode;

/** A saved analysis result with its provenance, as stored in table {@code results}. */
public record StoredResult(long resultId, String analysis, String createdAt, String version, Long seed, JsonNode inputs,
        JsonNode options, JsonNode result) {}
