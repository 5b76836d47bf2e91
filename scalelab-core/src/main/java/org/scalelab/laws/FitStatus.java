package org.scalelab.laws;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Honest status of every fit: a number is never reported without saying whether the optimiser
 * converged, or why the fit is degenerate (too few points, flat data, parameters at a bound…).
 */
public enum FitStatus {
    CONVERGED("converged"),
    NOT_CONVERGED("not_converged"),
    DEGENERATE("degenerate");

    private final String json;

    FitStatus(String json) {
        this.json = json;
    }

    @JsonValue
    public String json() {
        return json;
    }
}
