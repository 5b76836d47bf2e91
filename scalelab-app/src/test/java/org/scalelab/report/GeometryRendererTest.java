package org.scalelab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeometryRendererTest {
    @Test
    void shortModelLabelsKeepTwoComponentsAndNameCheckpointsByTheirRun() {
        assertEquals("models/small", GeometryRenderer.short_("/home/me/lab/models/small"));
        assertEquals("small", GeometryRenderer.short_("small"));
        String a = GeometryRenderer.short_("/lab/world-runs/demo/w32-d1-seed0/checkpoints/checkpoint-00001500");
        String b = GeometryRenderer.short_("/lab/world-runs/demo/w64-d1-seed0/checkpoints/checkpoint-00001500");
        assertEquals("demo/w32-d1-seed0", a);
        assertNotEquals(a, b);
        assertEquals("demo/w32-d1-seed0", GeometryRenderer.short_("/lab/world-runs/demo/w32-d1-seed0/init"));
    }

    @Test
    void reportNamesKeepOnlyThePartsOfASweepsRunNamesThatDiffer() {
        String w32 = "/lab/world-runs/demo/w32-d1-h4-lr0.003-seed0/checkpoints/checkpoint-00001500";
        String w64 = "/lab/world-runs/demo/w64-d2-h4-lr0.003-seed0/checkpoints/checkpoint-00001500";
        Map<String, String> names = GeometryRenderer.names(List.of(w32, w64, w32));
        assertEquals("w32-d1", names.get(w32));
        assertEquals("w64-d2", names.get(w64));
        assertEquals("—", names.get(null));
        // Run names of different shapes: the short names, which already differ.
        Map<String, String> mixed = GeometryRenderer.names(List.of("/m/small", "/m/llama-7b"));
        assertEquals("m/small", mixed.get("/m/small"));
        assertEquals("m/llama-7b", mixed.get("/m/llama-7b"));
        // Same last element in two folders: reducing would make them equal, so the short names stay.
        Map<String, String> twins = GeometryRenderer.names(Arrays.asList("/a/x/w32-d1", "/b/y/w32-d1", null));
        assertEquals("x/w32-d1", twins.get("/a/x/w32-d1"));
        assertEquals("y/w32-d1", twins.get("/b/y/w32-d1"));
        // One model: its short name.
        assertEquals("demo/w32-d1-h4-lr0.003-seed0", GeometryRenderer.names(List.of(w32)).get(w32));
    }
}
