package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.scalelab.io.Json;
import org.scalelab.report.Report;
import org.scalelab.store.StoredResult;

/**
 * What the Laws page shows of a saved fit: its view (the renderer's section, as {@code --out} writes it)
 * and its provenance, and two fits' "fit" charts merged into one chart.
 */
final class LawViews {
    private LawViews() {}

    /**
     * A saved fit as the page shows it.
     *
     * @param view       the result's view: the report section made by the fit's renderer
     * @param provenance what produced it: inputs with their hashes, options, seed, version, time
     */
    record FitView(long id, String analysis, JsonNode view, Provenance provenance) {}

    /** A fit this server ran and saved: its full report section (with the band) and its provenance. */
    record Kept(String analysis, Report report, org.scalelab.Provenance provenance) {}

    /** A stored result's provenance, as saved beside it. */
    record Provenance(String createdAt, String version, Long seed, JsonNode inputs, JsonNode options) {}

    /**
     * The fit's view: the section rendered when the fit ran on this server, else the saved result's view,
     * whose plots are drawn from its input when the lab still holds it unchanged (and which says why not).
     */
    static FitView fit(DashboardContext context, long id, Map<Long, Kept> reports) {
        Kept kept = reports.get(id);
        if (kept != null) {
            // Saved by this server a moment ago: shown at once, before the lab's next snapshot holds it.
            org.scalelab.Provenance p = kept.provenance();
            return new FitView(id, kept.analysis(), Json.mapper().valueToTree(ReportView.of(kept.report())),
                    new Provenance(p.createdAt(), p.version(), p.seed(), Json.mapper().valueToTree(p.inputs()),
                            Json.mapper().valueToTree(p.options())));
        }
        StoredResult r = LawsApi.load(context, id);
        // Drawn as its result page draws it: from its input read again when the lab still holds it unchanged.
        return new FitView(id, r.analysis(), Json.mapper().valueToTree(ResultViews.view(r, new SavedInput.Lab(context.lab()))),
                new Provenance(r.createdAt(), r.version(), r.seed(), r.inputs(), r.options()));
    }

    /** One chart of both fits' data, curves and bands: {@code a}'s layers, then {@code b}'s (its data only if they differ). */
    static ChartSpec compare(DashboardContext context, long a, long b, Map<Long, Kept> reports) {
        ChartSpec fa = fitChart(fit(context, a, reports));
        ChartSpec fb = fitChart(fit(context, b, reports));
        List<ChartSpec.Series> series = new ArrayList<>();
        for (ChartSpec.Series s : fa.series()) {
            series.add(renamed(s, "#" + a + " " + s.name()));
        }
        for (ChartSpec.Series s : fb.series()) {
            if ("points".equals(s.kind()) && fa.series().stream().anyMatch(t -> samePoints(s, t))) {
                continue;
            }
            series.add(renamed(s, "#" + b + " " + s.name()));
        }
        return new ChartSpec("Fit #" + a + " and fit #" + b, merged(fa.x(), fb.x()), merged(fa.y(), fb.y()), series, List.of());
    }

    /** The fit's chart of data, fitted curve and band (the renderers name it "fit"). */
    static ChartSpec fitChart(FitView f) {
        for (JsonNode block : f.view().path("blocks")) {
            if ("chart".equals(block.path("type").asText()) && "fit".equals(block.path("name").asText())) {
                try {
                    return Json.mapper().treeToValue(block.get("spec"), ChartSpec.class);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("the view of result " + f.id() + " holds a chart that is not a chart spec", e);
                }
            }
        }
        throw new BadRequestResponse("fit #" + f.id() + " has no chart of data and fitted curve to compare: its input is no "
                + "longer in the lab as it was (its result page says why), or the fit did not converge; fit it here again to compare it");
    }

    private static ChartSpec.Series renamed(ChartSpec.Series s, String name) {
        return new ChartSpec.Series(name, s.kind(), s.x(), s.y(), s.lo(), s.hi(), s.z(), s.bins(), s.links());
    }

    private static boolean samePoints(ChartSpec.Series s, ChartSpec.Series t) {
        return "points".equals(t.kind()) && Arrays.equals(s.x(), t.x()) && Arrays.equals(s.y(), t.y());
    }

    private static ChartSpec.Axis merged(ChartSpec.Axis a, ChartSpec.Axis b) {
        String label = a.label().equals(b.label()) ? a.label() : a.label() + " / " + b.label();
        return new ChartSpec.Axis(label, a.log() || b.log(), null);
    }
}
