package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class GeometryReportTest {
    @Test
    void shortModelLabelsKeepTwoComponentsAndNameCheckpointsByTheirRun() {
        assertEquals("models/small", GeometryReport.short_("/home/me/lab/models/small"));
        assertEquals("small", GeometryReport.short_("small"));
        String a = GeometryReport.short_("/lab/world-runs/demo/w32-d1-seed0/checkpoints/checkpoint-00001500");
        String b = GeometryReport.short_("/lab/world-runs/demo/w64-d1-seed0/checkpoints/checkpoint-00001500");
        assertEquals("demo/w32-d1-seed0", a);
        assertNotEquals(a, b);
        assertEquals("demo/w32-d1-seed0", GeometryReport.short_("/lab/world-runs/demo/w32-d1-seed0/init"));
    }
}
