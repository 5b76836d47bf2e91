package org.scalelab.cli;

import java.util.function.Consumer;
import java.util.function.Supplier;
import org.scalelab.Provenance;
import org.scalelab.laws.LawFits;
import org.scalelab.report.Report;
import org.scalelab.store.MissingScaleException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What {@code scalelab fit chinchilla} and {@code scalelab forecast} share: the lab, where the runs
 * come from, which columns hold N, D (or C) and L, the fit procedure's options and where the result goes.
 */
final class ChinchillaInput {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.DataOptions data;

    @Mixin
    CliSupport.OutputOptions output;

    @Mixin
    FitChinchillaCommand.Columns columns;

    @Mixin
    FitChinchillaCommand.LawOptions law;

    /** Reads N, D and L from --data or --query (see {@link FitChinchillaCommand.Columns#load}). */
    LawFits.Runs load() {
        try {
            return columns.load(lab, data);
        } catch (MissingScaleException e) {
            throw e.forCommand(CliSupport.commandName(spec));
        }
    }

    /** Sends a result where the user asked (see {@link CliSupport#emit}). */
    void emit(String analysis, Object result, Provenance provenance, Supplier<String> humanText,
            Consumer<Report> reportContent) {
        CliSupport.emit(spec, lab, output, analysis, result, provenance, humanText, reportContent);
    }
}
