package org.scalelab.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.scalelab.model.ForwardResult;
import org.scalelab.model.HookNames;
import org.scalelab.model.HookSet;
import org.scalelab.model.Transformer;

/**
 * Measures a model on every evaluation set of a world: accuracy (an example counts when the
 * arg-max prediction is right at every target token under teacher forcing, which for greedy
 * decoding is the same as producing the whole target) and loss (mean cross-entropy per target
 * token), plus the geometric alignment of entity representations with the functor
 * ({@link Alignment}). Sets larger than {@code maxPerSet} are measured on a fixed seeded subset,
 * the same at every step and for every run on the world, so curves are comparable.
 */
public final class WorldEvaluation {
    private static final int CHUNK = 256;

    private final World world;
    private final Map<String, List<int[]>> sets = new LinkedHashMap<>(); // eval set → token sequences (prompt + target)
    private final Map<String, List<Integer>> promptLengths = new LinkedHashMap<>();

    public WorldEvaluation(World world, int maxPerSet) {
        this.world = world;
        SplittableRandom rng = new SplittableRandom(world.config().seed() ^ 0x5ca1ab1eL);
        for (Map.Entry<String, List<Example>> e : world.evalSets().entrySet()) {
            List<Example> all = e.getValue();
            List<Example> chosen = all;
            if (all.size() > maxPerSet) {
                int[] order = org.scalelab.train.DataOrder.shuffled(all.size(), rng);
                int[] pick = Arrays.copyOf(order, maxPerSet);
                Arrays.sort(pick);
                chosen = new ArrayList<>();
                for (int i : pick) {
                    chosen.add(all.get(i));
                }
            }
            List<int[]> tokens = new ArrayList<>();
            List<Integer> lengths = new ArrayList<>();
            for (Example x : chosen) {
                tokens.add(world.vocabulary().encode(x.fullText()));
                lengths.add(world.vocabulary().encode(x.text()).length);
            }
            sets.put(e.getKey(), tokens);
            promptLengths.put(e.getKey(), lengths);
        }
    }

    /** Examples measured per evaluation set. */
    public Map<String, Integer> sizes() {
        Map<String, Integer> m = new LinkedHashMap<>();
        sets.forEach((k, v) -> m.put(k, v.size()));
        return m;
    }

    /** "accuracy.&lt;set&gt;" and "loss.&lt;set&gt;" for every evaluation set. */
    public Map<String, Double> accuracy(Transformer model) {
        Map<String, Double> out = new LinkedHashMap<>();
        int vocab = model.config().vocabSize();
        for (String set : sets.keySet()) {
            List<int[]> seqs = sets.get(set);
            List<Integer> lengths = promptLengths.get(set);
            int correct = 0;
            double nll = 0;
            long targets = 0;
            for (int from = 0; from < seqs.size(); from += CHUNK) {
                int to = Math.min(seqs.size(), from + CHUNK);
                int longest = 0;
                for (int i = from; i < to; i++) {
                    longest = Math.max(longest, seqs.get(i).length);
                }
                int[][] batch = new int[to - from][];
                for (int i = from; i < to; i++) {
                    batch[i - from] = Arrays.copyOf(seqs.get(i), longest); // right padding: invisible under the causal mask
                }
                float[] logits = model.forward(batch, HookSet.none()).logits().data(); // [batch, longest, vocab]
                for (int i = from; i < to; i++) {
                    int[] s = seqs.get(i);
                    boolean all = true;
                    for (int j = lengths.get(i); j < s.length; j++) {
                        // Position j − 1 predicts token j.
                        int base = ((i - from) * longest + j - 1) * vocab;
                        int best = 0;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int v = 0; v < vocab; v++) {
                            if (logits[base + v] > max) {
                                max = logits[base + v];
                                best = v;
                            }
                        }
                        double sum = 0;
                        for (int v = 0; v < vocab; v++) {
                            sum += Math.exp(logits[base + v] - max);
                        }
                        nll += max + Math.log(sum) - logits[base + s[j]];
                        targets++;
                        all &= best == s[j];
                    }
                    correct += all ? 1 : 0;
                }
            }
            out.put("accuracy." + set, seqs.isEmpty() ? Double.NaN : (double) correct / seqs.size());
            out.put("loss." + set, targets == 0 ? Double.NaN : nll / targets);
        }
        return out;
    }

    /**
     * Alignment of the entity representations with the functor: each entity token alone is run
     * through the model (position 0) and its input embedding and every layer's residual stream
     * are compared over the edges (e, f(e)). Dirichlet energy on L2-normalised rows at the
     * embedding ("alignment.dirichlet.embed") and after each block ("alignment.dirichlet.layer{L}");
     * translation consistency and parallelogram score (against the ⟨f⟩ token's own row) at the
     * embedding and at the last layer.
     */
    public Map<String, Double> alignment(Transformer model) {
        Vocabulary v = world.vocabulary();
        int n = v.entityCount();
        int[][] tokens = new int[n + 1][];
        for (int i = 0; i < n; i++) {
            tokens[i] = new int[] {v.entityId(i)};
        }
        tokens[n] = new int[] {v.id(Vocabulary.FUNCTOR)};
        int layers = model.config().nLayers();
        ForwardResult r = model.forward(tokens, HookSet.of(HookNames.EMBED, "blocks.*.hook_resid_post"));
        int d = model.config().dModel();
        int[][] edges = world.functorEdges(); // entity indices = rows
        Map<String, Double> out = new LinkedHashMap<>();
        float[] embed = r.activation(HookNames.EMBED).data(); // [n + 1, 1, d]
        out.put("alignment.dirichlet.embed", Alignment.dirichletEnergy(embed, d, edges, true));
        for (int l = 0; l < layers; l++) {
            out.put("alignment.dirichlet.layer" + l, Alignment.dirichletEnergy(r.activation(HookNames.residPost(l)).data(), d, edges, true));
        }
        float[] last = r.activation(HookNames.residPost(layers - 1)).data();
        out.put("alignment.translation.embed", Alignment.translationConsistency(embed, embed, d, edges, true));
        out.put("alignment.translation.last", Alignment.translationConsistency(last, last, d, edges, true));
        out.put("alignment.parallelogram.embed", Alignment.parallelogramScore(embed, embed, d, edges, Arrays.copyOfRange(embed, n * d, (n + 1) * d), true));
        out.put("alignment.parallelogram.last", Alignment.parallelogramScore(last, last, d, edges, Arrays.copyOfRange(last, n * d, (n + 1) * d), true));
        return out;
    }
}
