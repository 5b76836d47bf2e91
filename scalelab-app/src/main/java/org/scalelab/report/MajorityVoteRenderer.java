package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.laws.MajorityVote;

/** maj@k beside pass@k against k: the table, and both curves (the gap is what a verifier could add). */
public final class MajorityVoteRenderer implements Renderer<MajorityVote.Result> {
    static final List<String> HEADER = List.of("k", "maj@k", "pass@k");

    @Override
    public String text(MajorityVote.Result r) {
        return "majority vote over " + r.problems() + " problems (" + r.method().replace('_', ' ') + ")\n" + TextTable.render(HEADER, rows(r));
    }

    @Override
    public void section(Report report, MajorityVote.Result r) {
        double[] k = r.ks().stream().mapToDouble(Integer::doubleValue).toArray();
        report.text(r.problems() + " problems; maj@k computed " + r.method().replace('_', ' ')
                + (r.monteCarloDraws() != null ? " (" + r.monteCarloDraws() + " draws, seed " + r.provenance().seed() + ")" : "") + ".");
        report.plot("majority", Plot.of("maj@k and pass@k vs k", "k (samples)", "accuracy").logX()
                .line("pass@k", k, r.curve().stream().mapToDouble(MajorityVote.Point::passAtK).toArray())
                .line("maj@k", k, r.curve().stream().mapToDouble(MajorityVote.Point::majAtK).toArray()),
                "pass@k (any sample correct) bounds what majority voting can reach; the gap is what a verifier could add.");
        report.table(HEADER, rows(r));
    }

    static List<List<String>> rows(MajorityVote.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (MajorityVote.Point p : r.curve()) {
            rows.add(List.of(Integer.toString(p.k()), TextTable.num(p.majAtK()), TextTable.num(p.passAtK())));
        }
        return rows;
    }
}
