package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

/** Closed-form cases: unit vectors on a circle, pure translations, scattered offsets. */
class AlignmentTest {
    /** Rows (cos θ_i, sin θ_i) · scale. */
    private static float[] circle(double scale, double... angles) {
        float[] x = new float[2 * angles.length];
        for (int i = 0; i < angles.length; i++) {
            x[2 * i] = (float) (scale * Math.cos(angles[i]));
            x[2 * i + 1] = (float) (scale * Math.sin(angles[i]));
        }
        return x;
    }

    @Test
    void dirichletEnergyOfUnitVectorsIsTwoMinusTwiceTheCosine() {
        // ‖a − b‖² = 2 − 2 cos(angle) for unit vectors: 90° → 2, 180° → 4, 60° → 1.
        float[] x = circle(5, 0, Math.PI / 2, 1, 1 + Math.PI, 2, 2 + Math.PI / 3);
        int[][] edges = {{0, 1}, {2, 3}, {4, 5}};
        assertEquals((2 + 4 + 1) / 3.0, Alignment.dirichletEnergy(x, 2, edges, true), 1e-5, "scale 5 is normalised away");
        assertEquals(25 * (2 + 4 + 1) / 3.0, Alignment.dirichletEnergy(x, 2, edges, false), 1e-3);
        assertEquals((2 + 4 + 1) / 3.0, Alignment.relativeDirichletEnergy(x, 2, edges), 1e-5, "raw energy / mean squared norm (25)");
        assertEquals(0, Alignment.dirichletEnergy(x, 2, new int[][] {{0, 0}, {3, 3}}, true), 1e-12, "an edge to itself costs nothing");
    }

    @Test
    void aPureTranslationIsPerfectlyConsistentAndItsParallelogramFollowsTheFunctor() {
        float[] source = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0};
        float[] target = new float[12];
        float[] c = {0.5f, -1, 2, 0};
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 4; k++) {
                target[4 * r + k] = source[4 * r + k] + c[k];
            }
        }
        int[][] edges = {{0, 0}, {1, 1}, {2, 2}};
        assertEquals(1.0, Alignment.translationConsistency(source, target, 4, edges, false), 1e-12);
        assertEquals(1.0, Alignment.parallelogramScore(source, target, 4, edges, c, false), 1e-6);
        float[] minus = {-0.5f, 1, -2, 0};
        assertEquals(-1.0, Alignment.parallelogramScore(source, target, 4, edges, minus, false), 1e-6);
        float[] orthogonal = {2, 1, 0, 5}; // 0.5·2 − 1·1 + 0 + 0 = 0
        assertEquals(0.0, Alignment.parallelogramScore(source, target, 4, edges, orthogonal, false), 1e-6);
    }

    @Test
    void scatteredOffsetsLowerConsistencyAsOneOverOnePlusTheirVariance() {
        // t_i = c ± a·e1 alternating: mean ‖t_i − t̄‖² = a².
        double a = 0.7;
        float[] source = new float[8];
        float[] target = new float[8];
        for (int r = 0; r < 4; r++) {
            source[2 * r] = r;
            source[2 * r + 1] = -r;
            target[2 * r] = (float) (r + 1 + (r % 2 == 0 ? a : -a));
            target[2 * r + 1] = (float) (-r + 2);
        }
        int[][] edges = {{0, 0}, {1, 1}, {2, 2}, {3, 3}};
        assertEquals(1 / (1 + a * a), Alignment.translationConsistency(source, target, 2, edges, false), 1e-6);
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(InputException.class, () -> Alignment.dirichletEnergy(new float[5], 2, new int[][] {{0, 1}}, true));
        assertThrows(InputException.class, () -> Alignment.dirichletEnergy(new float[4], 2, new int[][] {{0, 2}}, true));
        assertThrows(InputException.class, () -> Alignment.dirichletEnergy(new float[4], 2, new int[0][], true));
        assertTrue(Double.isNaN(Alignment.parallelogramScore(new float[2], new float[2], 2, new int[][] {{0, 0}}, new float[] {1, 0}, false)),
                "no non-zero translation: no cosine");
    }
}
