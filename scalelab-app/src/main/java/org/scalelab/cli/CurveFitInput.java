package org.scalelab.cli;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.scalelab.Provenance;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.CurveFitResult;
import org.scalelab.report.CurveFitRenderer;
import org.scalelab.report.Report;
import org.scalelab.store.MissingScaleException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every single-variable curve command ({@code scalelab fit power|sigmoid|bnsl|exp|shape}) shares:
 * the lab, where the points come from, the x column, the bootstrap and where the result goes. Each
 * command adds its own {@code --y-col} (its default differs) and its law's options, then runs
 * {@link #load} → analyze → {@link #emit}.
 */
final class CurveFitInput {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.DataOptions data;

    @Mixin
    CliSupport.OutputOptions output;

    @Mixin
    LawOptions.Scale scale;

    @Mixin
    LawOptions.Uncertainty uncertainty;

    /** Reads the x column (--x-col or --x) and {@code yCol} from --data or --query. */
    CurveData load(String yCol) {
        String xCol = scale.column();
        try {
            return new CurveData(data.load(lab, List.of(xCol, yCol)), xCol, yCol);
        } catch (MissingScaleException e) {
            throw e.forCommand(CliSupport.commandName(spec));
        }
    }

    /** Sends a fitted curve law to stdout, the store and --out, with the data and fit plotted. */
    void emit(String analysis, CurveData d, CurveFitResult r) {
        double[] x = d.x();
        double[] y = d.y();
        emit(analysis, r, r.provenance(), () -> CurveFitRenderer.text(r, d.xCol(), d.yCol()),
                report -> CurveFitRenderer.section(report, r, x, y, d.xCol(), d.yCol(), d.table().source()));
    }

    /** Sends any result of these columns where the user asked (see {@link CliSupport#emit}). */
    void emit(String analysis, Object result, Provenance provenance, Supplier<String> humanText,
            Consumer<Report> reportContent) {
        CliSupport.emit(spec, lab, output, analysis, result, provenance, humanText, reportContent);
    }
}
