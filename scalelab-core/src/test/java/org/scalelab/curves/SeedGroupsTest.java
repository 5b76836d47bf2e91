package org.scalelab.curves;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeedGroupsTest {
    @Test
    void runsDifferingOnlyInTheirSeedShareAConfiguration() {
        String a = SeedGroups.configuration("w64-seed0", "small", "{\"width\":64,\"depth\":2,\"seed\":0}");
        String b = SeedGroups.configuration("w64-seed1", "small", "{\"depth\":2,\"seed\":1,\"width\":64}");
        String c = SeedGroups.configuration("w128-seed0", "small", "{\"width\":128,\"depth\":2,\"seed\":0}");
        String d = SeedGroups.configuration("w64-seed0-other", "other", "{\"width\":64,\"depth\":2,\"seed\":0}");
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertNotEquals(a, d, "another experiment is another configuration");
        assertNotEquals(SeedGroups.configuration("x", "e", "not json"), SeedGroups.configuration("y", "e", "not json"));
        Map<String, String> byRun = new LinkedHashMap<>();
        byRun.put("w64-seed0", a);
        byRun.put("w128-seed0", c);
        byRun.put("w64-seed1", b);
        assertEquals(List.of(List.of("w64-seed0", "w64-seed1"), List.of("w128-seed0")), SeedGroups.group(byRun));
        assertEquals("w64 (2 seeds)", SeedGroups.name(List.of("w64-seed0", "w64-seed1")));
        assertEquals("a (2 seeds)", SeedGroups.name(List.of("a", "b")));
    }

    @Test
    void theBandUsesCommonStepsOnlyAndNeedsThreeValues() {
        StepSeries s0 = new StepSeries("a", new long[] {1, 2, 3, 4}, new double[] {1, 2, 3, 4});
        StepSeries s1 = new StepSeries("b", new long[] {1, 2, 4}, new double[] {3, 4, Double.NaN});
        StepSeries s2 = new StepSeries("c", new long[] {1, 2, 4, 5}, new double[] {5, 6, 8, 9});
        SeedGroups.Band band = SeedGroups.mean("g", List.of("a", "b", "c"), List.of(s0, s1, s2));
        assertArrayEquals(new long[] {1, 2, 4}, band.steps());
        assertArrayEquals(new int[] {3, 3, 2}, band.n());
        assertEquals(3, band.mean()[0], 1e-12);
        assertEquals(6, band.mean()[2], 1e-12);
        assertTrue(band.lo()[0] < 3 && band.hi()[0] > 3);
        assertTrue(Double.isNaN(band.lo()[2]) && Double.isNaN(band.hi()[2]), "two values give no interval");
    }
}
