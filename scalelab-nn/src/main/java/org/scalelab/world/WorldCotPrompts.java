package org.scalelab.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;
import org.scalelab.model.Prompt;

/**
 * The world's step-by-step trajectories of its four domains as a chain-of-thought prompt set (the
 * prompts file {@link Prompt#readJsonl} reads), with the number of hops as the difficulty.
 *
 * <p>A trajectory asks for the entities a head reaches by following k relations of one domain:
 * question "⟨e_0⟩ ⟨r_1⟩ … ⟨r_k⟩ ⟨think⟩", chain "⟨e_1⟩ … ⟨e_k⟩" (one entity, one token, per hop).
 * Two forms:
 *
 * <ul>
 *   <li>without answers (the default): the text is the question, so that {@code generate} produces
 *       the chain (generation's first position is a step boundary; {@code --steps} cuts the rest);
 *   <li>with answers: the text is question and chain, and {@code step_boundaries} are the positions
 *       of the k entities (position k + 2 + h − 1 for hop h; the world's tokenizer adds no special
 *       token), so {@code capture} reads the reference chain step by step.
 * </ul>
 *
 * Every prompt keeps the world example's id and its domain, and has labels {@code difficulty} and
 * {@code hops} (both k), {@code answer} (the chain), {@code split} ("train" or "ood": whether the
 * models were trained on the trajectory), {@code category} and {@code eval_set}. Order: the world's
 * (trajectories are drawn domain by domain in turn, so any prefix holds the four domains about
 * equally). Same world and options, same bytes.
 */
public final class WorldCotPrompts {
    private WorldCotPrompts() {}

    /** Which trajectories: those the models were trained on, the held-out ones, or all. */
    public enum Which {
        TRAIN("train"), OOD("ood"), ALL("all");

        private final String label;

        Which(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Which parse(String s) {
            for (Which w : values()) {
                if (w.label.equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return w;
                }
            }
            throw new InputException("--split: \"" + InputException.quote(s) + "\" is not one of train, ood, all");
        }

        boolean keeps(Split s) {
            return this == ALL || (this == TRAIN) == (s == Split.TRAIN);
        }
    }

    /**
     * @param split       which trajectories
     * @param limit       most prompts, the first in world order; 0: all
     * @param withAnswers the chain in the text, with a step boundary at each hop (for capture), or the question alone (for generate)
     * @param hops        only trajectories of this many hops; 0: all
     */
    public record Options(Which split, int limit, boolean withAnswers, int hops) {
        public Options {
            if (limit < 0) {
                throw new InputException("--limit " + limit + ": give a positive number of prompts (or leave it out for all)");
            }
            if (hops < 0 || hops == 1) {
                throw new InputException("--hops " + hops + ": a trajectory has at least 2 hops (or leave it out for all)");
            }
        }

        public Options(Which split, int limit, boolean withAnswers) {
            this(split, limit, withAnswers, 0);
        }

        public static Options defaults() {
            return new Options(Which.ALL, 0, false);
        }
    }

    /** The prompts of {@code world}; a world without trajectories in the split is refused. */
    public static List<Prompt> build(World world, Options o) {
        List<Prompt> out = new ArrayList<>();
        for (Example e : world.examples()) {
            if (e.kind() != Kind.TRAJECTORY || !o.split().keeps(e.split())) {
                continue;
            }
            int hops = e.stepBoundaries().size();
            if (o.hops() > 0 && hops != o.hops()) {
                continue;
            }
            if (o.limit() > 0 && out.size() >= o.limit()) {
                break;
            }
            ObjectNode labels = Json.mapper().createObjectNode();
            labels.put("difficulty", hops);
            labels.put("hops", hops);
            labels.put("answer", e.target());
            labels.put("split", e.split().label());
            labels.put("category", e.category());
            labels.put("eval_set", e.evalSet());
            String domain = e.domain() == null ? null : e.domain().label();
            out.add(o.withAnswers() ? new Prompt(e.id(), e.fullText(), domain, labels, e.stepBoundaries())
                    : new Prompt(e.id(), e.text(), domain, labels, List.of()));
        }
        if (out.isEmpty()) {
            throw new InputException("the world has no " + (o.split() == Which.ALL ? "" : o.split().label() + " ")
                    + "trajectories" + (o.hops() > 0 ? " of " + o.hops() + " hops (its longest have " + world.config().maxHops() + ")" : "")
                    + ": generate it with --trajectories N" + (o.hops() > 0 ? " --max-hops M" : "")
                    + (o.split() == Which.ALL ? "" : ", or use --split all"));
        }
        return out;
    }

    /** Writes {@code prompts} to {@code out} through a temporary sibling (the caller checks first that it may replace it). */
    public static void write(List<Prompt> prompts, Path out) {
        try {
            AtomicFiles.writeString(out, Prompt.toJsonl(prompts));
        } catch (IOException e) {
            throw new ScaleLabException(out + ": cannot write the prompt set: " + e.getMessage(), e);
        }
    }

    /** Prompts per domain and number of hops, for a summary: {domain: {hops: count}}. */
    public static Map<String, Map<Integer, Integer>> counts(List<Prompt> prompts) {
        Map<String, Map<Integer, Integer>> m = new LinkedHashMap<>();
        for (Prompt p : prompts) {
            m.computeIfAbsent(p.domain(), d -> new java.util.TreeMap<>()).merge(p.labels().path("hops").asInt(), 1, Integer::sum);
        }
        return m;
    }
}
