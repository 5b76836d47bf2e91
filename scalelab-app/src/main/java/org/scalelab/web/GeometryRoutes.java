package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.geometry.LayerProfile;
import org.scalelab.geometry.StepPooling;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.Json;
import org.scalelab.report.GeometryRenderer;
import org.scalelab.report.Report;
import org.scalelab.store.LabStore;
import org.scalelab.store.StoredResult;

/**
 * The Geometry page's own endpoint: {@code GET /api/geometry/{id}/view}, a saved geometry result drawn as
 * {@code scalelab geometry --out} draws it, PCA projections included. The saved record keeps every metric
 * but not the points, so for a result of activation sets inside the lab whose manifests are unchanged
 * (same SHA-256 as recorded), the sets are read again and grouped as the analysis grouped them, and
 * {@link GeometryRenderer} draws the whole report from the record and those groups. Otherwise the answer
 * is the result's plain view ({@link ResultViews}) with a sentence saying why the projections are missing.
 */
final class GeometryRoutes implements DashboardRoutes {
    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        routes.get("/api/geometry/{id}/view", ctx -> ctx.json(view(context, ctx)));
    }

    /** Analyses the Geometry page lists besides {@code geometry}: every layer at once, and the cost of thought. */
    static final List<String> OTHER_GEOMETRY = List.of(LayerProfile.ANALYSIS, "thought_cost");

    private static ReportView view(DashboardContext context, Context ctx) {
        long id = ResultsApi.id(ctx.pathParam("id"));
        Path lab = context.lab().lab();
        if (!Files.exists(lab.resolve(LabStore.FILE_NAME))) {
            throw new NotFoundResponse("no result " + id + ": the lab " + lab + " holds no store yet");
        }
        StoredResult stored;
        try {
            stored = context.lab().read(store -> store.loadResult(id));
        } catch (InputException e) {
            throw new NotFoundResponse(e.getMessage());
        }
        if (OTHER_GEOMETRY.contains(stored.analysis())) {
            return ResultViews.view(stored); // drawn from its record alone, as on its result page
        }
        if (!"geometry".equals(stored.analysis())) {
            throw new BadRequestResponse("result " + id + " is a " + stored.analysis() + " result, not a geometry result");
        }
        GeometryAnalysis.Result r;
        List<ActivationGroups.Input> groups;
        try {
            r = Json.mapper().treeToValue(stored.result(), GeometryAnalysis.Result.class);
            groups = groups(lab, r);
        } catch (ScaleLabException | BadRequestResponse | com.fasterxml.jackson.core.JsonProcessingException e) {
            return withNote(ResultViews.view(stored), "PCA projections not shown: " + e.getMessage());
        }
        Report report = Report.create("ScaleLab — geometry (result " + id + ")");
        GeometryRenderer.ofGroups(groups).section(report, r);
        report.heading("Result record");
        report.code(Json.pretty(stored.result()));
        return ReportView.of(report, id, stored.analysis());
    }

    /**
     * The groups the analysis read, from its activation sets again: each manifest must be inside the lab
     * and unchanged since the analysis. Grouped by domain when the result's groups have domains, at the
     * result's hook (the model is always a key).
     */
    static List<ActivationGroups.Input> groups(Path lab, GeometryAnalysis.Result r) {
        List<Provenance.Input> manifests = r.provenance().inputs().stream().filter(i -> i.source().endsWith("manifest.json")).toList();
        if (manifests.isEmpty()) {
            throw new ScaleLabException("the result was made from points, not activation sets; `scalelab geometry --out DIR` draws them");
        }
        Path root = lab.toAbsolutePath().normalize();
        List<ActivationSet> sets = new ArrayList<>();
        for (Provenance.Input in : manifests) {
            Path manifest = Path.of(in.source()).toAbsolutePath().normalize();
            if (!manifest.startsWith(root)) {
                throw new ScaleLabException("the activation set " + manifest.getParent() + " is outside the lab, which the dashboard does not read");
            }
            Path dir = LabPaths.resolve(lab, root.relativize(manifest.getParent()).toString(), "activation set");
            Path file = dir.resolve("manifest.json");
            if (!Files.isRegularFile(file)) {
                throw new ScaleLabException("the activation set " + root.relativize(dir) + " is no longer in the lab");
            }
            if (!Provenance.sha256(file).equals(in.sha256())) {
                throw new ScaleLabException("the activation set " + root.relativize(dir) + " changed since the analysis (its manifest's SHA-256 differs)");
            }
            sets.add(ActivationSet.open(dir, true));
        }
        String hook = r.groups().stream().map(GeometryAnalysis.Group::hook).filter(h -> h != null).findFirst().orElse(null);
        boolean byDomain = r.groups().stream().anyMatch(g -> g.domain() != null);
        List<ActivationGroups.Key> by = byDomain ? List.of(ActivationGroups.Key.MODEL, ActivationGroups.Key.DOMAIN) : List.of(ActivationGroups.Key.MODEL);
        String unit = r.groups().stream().map(GeometryAnalysis.Group::unit).filter(u -> u != null).findFirst().orElse("token");
        StepPooling.Unit u = unit.startsWith("step") ? StepPooling.Unit.STEP : StepPooling.Unit.TOKEN;
        StepPooling.Pool pool = unit.contains("last") ? StepPooling.Pool.LAST : StepPooling.Pool.MEAN;
        return ActivationGroups.of(sets, new ActivationGroups.Options(hook, by, null, u, pool));
    }

    private static ReportView withNote(ReportView view, String note) {
        List<ReportView.Block> blocks = new ArrayList<>();
        blocks.add(new ReportView.Text("text", note));
        blocks.addAll(view.blocks());
        return new ReportView(view.id(), view.analysis(), view.title(), List.copyOf(blocks));
    }
}
