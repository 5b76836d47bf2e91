package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.model.FamilyOptions;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInfo;

/** A checkpoint at a glance: family, sizes, parameter count, tensors, files, and the family options it sets. */
public final class ModelInfoRenderer implements Renderer<ModelInfo> {
    @Override
    public String text(ModelInfo info) {
        return TextTable.render(List.of("", info.dir()), rows(info));
    }

    @Override
    public void section(Report report, ModelInfo info) {
        report.table(List.of("", info.dir()), rows(info));
    }

    static List<List<String>> rows(ModelInfo info) {
        ModelConfig c = info.config();
        List<List<String>> rows = new ArrayList<>(List.of(
                List.of("family", c.family().modelType()),
                List.of("parameters", String.format("%,d", info.parameterCount())),
                List.of("d_model", Integer.toString(c.dModel())),
                List.of("layers", Integer.toString(c.nLayers())),
                List.of("heads (q / kv)", c.nHeads() + " / " + c.nKvHeads()),
                List.of("head_dim", Integer.toString(c.headDim())),
                List.of("d_mlp", Integer.toString(c.dMlp())),
                List.of("vocab", Integer.toString(c.vocabSize())),
                List.of("max positions", Integer.toString(c.maxPositions())),
                List.of("tied embeddings", Boolean.toString(c.tieWordEmbeddings())),
                List.of("tensors", info.tensorCount() + " " + info.dtypes()),
                List.of("weight files", String.join(", ", info.weightFiles())),
                List.of("tokenizer", info.tokenizer() ? "tokenizer.json" : "none")));
        FamilyOptions o = c.options();
        if (o.slidingWindow() > 0) {
            String which = o.windowEveryOther() ? " (even layers)" : o.windowFromLayer() > 0 ? " (layers " + o.windowFromLayer() + "+)" : "";
            rows.add(List.of("sliding window", o.slidingWindow() + which));
        }
        if (o.qkvBias()) {
            rows.add(List.of("q/k/v bias", "yes"));
        }
        if (o.attnLogitSoftcap() > 0 || o.finalLogitSoftcap() > 0) {
            rows.add(List.of("soft-caps (attn / final)", o.attnLogitSoftcap() + " / " + o.finalLogitSoftcap()));
        }
        return rows;
    }
}
