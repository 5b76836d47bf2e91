package org.scalelab.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.scalelab.InputException;
import org.scalelab.model.HookSet;
import org.scalelab.model.Intervention;
import org.scalelab.model.KvCache;
import org.scalelab.model.RaggedBatch;
import org.scalelab.model.Transformer;

/**
 * Scores multiple-choice examples by log-likelihood: a choice's score is Σ log p(token | everything
 * before it) over its continuation's tokens ({@link ContinuationTokens}), as lm-evaluation-harness's
 * {@code loglikelihood} requests compute it.
 *
 * <p>Several examples share each forward pass, right-padded ({@link RaggedBatch}), and the choices
 * of an example share its context: the context but its last token runs once, filling the KV cache;
 * each choice's row, [last context token, continuation tokens but the last], then continues its
 * example's row of the cache ({@link KvCache#sharedBy}: no per-choice copy of the context's keys and
 * values outlives the layer reading it), predicting every continuation token. Only those
 * positions are unembedded, in chunks that keep each [positions, vocab] block within a memory budget
 * ({@link Transformer#UNEMBED_BYTES} by default). Padding and batch composition change no score (beyond float rounding,
 * ~1e-6): every row sees only its own tokens at its own positions.
 *
 * <p>Too long an input is cut from the left of its context so that the longest choice still fits
 * the model's positions (the harness's {@code (context + continuation)[-(max_length + 1):]}, once per
 * example instead of per choice); a continuation longer than the model's positions is an input error.
 *
 * <p>A scorer may carry interventions ({@link #steered}): steering, ablation or replacement applied
 * in both passes, the context's (filling the cache) and the choices', so a choice's score is that of
 * one steered forward pass over context + continuation. Positions count from the first token of the
 * (cut) context, as in an unbatched pass.
 */
public final class ChoiceScorer {
    private final Transformer model;
    private final ContinuationTokens tokens;
    private final int batch;
    private final int maxLength;
    private final HookSet changes;
    private final long unembedBytes;

    /**
     * @param batch     examples per forward pass (each with all its choices)
     * @param maxLength the most positions one input may take (≤ the model's positions)
     */
    public ChoiceScorer(Transformer model, ContinuationTokens tokens, int batch, int maxLength) {
        this(model, tokens, batch, maxLength, Transformer.UNEMBED_BYTES);
    }

    /**
     * @param unembedBytes the most memory one float32 [positions, vocab] block of log-probs may take: a
     *                     batch's continuation positions are unembedded in chunks that fit it (the
     *                     scores do not depend on it)
     */
    public ChoiceScorer(Transformer model, ContinuationTokens tokens, int batch, int maxLength, long unembedBytes) {
        if (unembedBytes < 1) {
            throw new IllegalArgumentException("unembedding budget " + unembedBytes + " bytes: must be positive");
        }
        this.unembedBytes = unembedBytes;
        if (batch < 1) {
            throw new InputException("--batch " + batch + ": must be at least 1");
        }
        checkMaxLength(maxLength, model.config().maxPositions());
        this.model = model;
        this.tokens = tokens;
        this.batch = batch;
        this.maxLength = maxLength;
        this.changes = HookSet.none();
    }

    private ChoiceScorer(ChoiceScorer base, List<Intervention> interventions) {
        this.model = base.model;
        this.tokens = base.tokens;
        this.batch = base.batch;
        this.maxLength = base.maxLength;
        this.unembedBytes = base.unembedBytes;
        this.changes = HookSet.none().with(interventions.toArray(Intervention[]::new));
    }

    /** The same scorer applying {@code interventions} (in order) in every forward pass; an empty list scores the plain model. */
    public ChoiceScorer steered(List<Intervention> interventions) {
        return new ChoiceScorer(this, interventions);
    }

    /** The interventions applied while scoring (empty: the plain model). */
    public List<Intervention> interventions() {
        return changes.interventions();
    }

    /** One example ready to run: its context (cut to fit) and its continuations. */
    private record Input(EvalExample example, int[] context, int[][] continuations) {}

    /** The order examples are scored in: longest (cut) context first, then longest choice, ties in input order. */
    private static final Comparator<Input> ORDER = Comparator.comparingInt((Input in) -> -in.context().length)
            .thenComparingInt(in -> -longest(in.continuations()));

    /** Refuses a --max-length below 2 or beyond the model's {@code positions}. */
    public static void checkMaxLength(int maxLength, int positions) {
        if (maxLength < 2 || maxLength > positions) {
            throw new InputException("--max-length " + maxLength + ": must be between 2 and the model's " + positions + " positions");
        }
    }

    /**
     * The order in which {@link #score(List, Consumer)} runs {@code examples} (tokenised with {@code tokens},
     * cut to {@code maxLength}), as indices into {@code examples}; its batches are the consecutive runs of
     * {@code batch} examples of this order. A caller splitting the work (an evaluation on several machines)
     * gives each worker whole runs: a run scored alone is already in this order, so it is one pass, the same
     * pass this scorer would run, and gives the same scores. Every example is checked as {@link #check} does.
     */
    public static int[] scoringOrder(ContinuationTokens tokens, int maxLength, List<EvalExample> examples) {
        List<Input> inputs = new ArrayList<>(examples.size());
        for (EvalExample e : examples) {
            inputs.add(fit(e, tokens.encode(e), maxLength));
        }
        Integer[] order = new Integer[examples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> ORDER.compare(inputs.get(a), inputs.get(b))); // stable, as List.sort in score
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Scores {@code examples}, handing each example's score to {@code done} as soon as its batch
     * finishes (longest contexts first, as the harness orders its requests; not in input order).
     * Every example is tokenised and checked before the first forward pass.
     */
    public void score(List<EvalExample> examples, Consumer<ExampleScore> done) {
        List<Input> inputs = new ArrayList<>(examples.size());
        for (EvalExample e : examples) {
            inputs.add(fit(e, tokens.encode(e), maxLength));
        }
        inputs.sort(ORDER);
        for (int from = 0; from < inputs.size(); from += batch) {
            for (ExampleScore s : run(inputs.subList(from, Math.min(inputs.size(), from + batch)))) {
                done.accept(s);
            }
        }
    }

    /** Tokenises and checks {@code examples} without scoring them: an input error surfaces before any forward pass. */
    public void check(List<EvalExample> examples) {
        for (EvalExample e : examples) {
            fit(e, tokens.encode(e), maxLength);
        }
    }

    /** Scores one example alone (convenience for callers and tests). */
    public ExampleScore score(EvalExample example) {
        ExampleScore[] out = new ExampleScore[1];
        score(List.of(example), s -> out[0] = s);
        return out[0];
    }

    private static Input fit(EvalExample e, ContinuationTokens.Encoded enc, int maxLength) {
        int longest = longest(enc.continuations());
        if (longest > maxLength) {
            throw new InputException(e.where() + ": example \"" + InputException.quote(e.id()) + "\" has a choice of " + longest
                    + " tokens; the model takes at most " + maxLength + " positions");
        }
        int[] context = enc.context();
        int keep = Math.min(context.length, maxLength + 1 - longest);
        return new Input(e, Arrays.copyOfRange(context, context.length - keep, context.length), enc.continuations());
    }

    private static int longest(int[][] continuations) {
        int m = 0;
        for (int[] c : continuations) {
            m = Math.max(m, c.length);
        }
        return m;
    }

    /** One forward pass of contexts (into the cache), one of all their choices continuing it. */
    private List<ExampleScore> run(List<Input> group) {
        int b = group.size();
        int[] past = new int[b];
        int prefixLength = 0;
        for (int i = 0; i < b; i++) {
            past[i] = group.get(i).context().length - 1; // the last context token runs with each choice
            prefixLength = Math.max(prefixLength, past[i]);
        }
        int rows = 0;
        int choiceLength = 0;
        for (Input in : group) {
            rows += in.continuations().length;
            choiceLength = Math.max(choiceLength, longest(in.continuations()));
        }
        int[] rowExample = new int[rows];
        int[][] choiceTokens = new int[rows][choiceLength];
        int[] rowPast = new int[rows];
        int[] rowValid = new int[rows];
        int selected = 0;
        int r = 0;
        for (int i = 0; i < b; i++) {
            Input in = group.get(i);
            for (int[] cont : in.continuations()) {
                rowExample[r] = i;
                rowPast[r] = past[i];
                rowValid[r] = cont.length;
                choiceTokens[r][0] = in.context()[in.context().length - 1];
                System.arraycopy(cont, 0, choiceTokens[r], 1, cont.length - 1);
                selected += cont.length;
                r++;
            }
        }
        int[] selRow = new int[selected];
        int[] selPos = new int[selected];
        int[] selTarget = new int[selected];
        int s = 0;
        r = 0;
        for (Input in : group) {
            for (int[] cont : in.continuations()) {
                for (int t = 0; t < cont.length; t++) {
                    selRow[s] = r;
                    selPos[s] = t;
                    selTarget[s++] = cont[t];
                }
                r++;
            }
        }
        float[] lp;
        if (prefixLength == 0) {
            lp = model.logProbs(choiceTokens, null, new RaggedBatch(rowPast, rowValid), selRow, selPos, selTarget, changes, unembedBytes);
        } else {
            int[][] prefix = new int[b][prefixLength];
            for (int i = 0; i < b; i++) {
                System.arraycopy(group.get(i).context(), 0, prefix[i], 0, past[i]);
            }
            try (KvCache cache = model.newCache()) {
                model.logProbs(prefix, cache, new RaggedBatch(new int[b], past), new int[0], new int[0], new int[0], changes);
                try (KvCache perChoice = cache.sharedBy(rowExample)) {
                    lp = model.logProbs(choiceTokens, perChoice, new RaggedBatch(rowPast, rowValid), selRow, selPos, selTarget, changes, unembedBytes);
                }
            }
        }
        List<ExampleScore> out = new ArrayList<>(b);
        s = 0;
        for (Input in : group) {
            int k = in.continuations().length;
            double[] sums = new double[k];
            int[] lengths = new int[k];
            for (int c = 0; c < k; c++) {
                lengths[c] = in.continuations()[c].length;
                for (int t = 0; t < lengths[c]; t++) {
                    sums[c] += lp[s++];
                }
            }
            out.add(ExampleScore.of(in.example(), sums, lengths));
        }
        return out;
    }
}
