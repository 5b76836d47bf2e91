package org.scalelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.model.Directions;
import org.scalelab.model.Intervention;
import picocli.CommandLine.Option;

/** The steering/ablation options shared by {@code capture} and {@code generate}. */
final class SteerOptions {
    @Option(names = "--steer", paramLabel = "FILE", description = "Direction to add (α·v): a 1-D .npy (float32/float64) or .safetensors file of d_model values.")
    Path steer;

    @Option(names = "--alpha", paramLabel = "X", defaultValue = "4", description = "Steering strength α. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--ablate", paramLabel = "FILE", description = "Direction to project out at --at (x ← x − (x·v̂)v̂); same file formats as --steer.")
    Path ablate;

    @Option(names = "--replace", paramLabel = "FILE", description = "Vector that replaces the activation at --at (x ← v; e.g. a mean activation"
            + " for mean ablation); same file formats as --steer.")
    Path replace;

    @Option(names = "--tensor", paramLabel = "NAME", description = "Which tensor of a .safetensors direction file holding several.")
    String tensor;

    @Option(names = "--at", paramLabel = "HOOK", description = "Hook where --steer/--ablate/--replace act, e.g. blocks.1.hook_resid_post.")
    String at;

    @Option(names = "--head", paramLabel = "H", description = "Act on head H alone of a per-head hook (attn.hook_q, hook_k, hook_v, hook_z,"
            + " hook_result, …), with a vector of that hook's last width: --replace zeros.npy --at blocks.2.attn.hook_z --head 3 zero-ablates head 3.")
    Integer head;

    @Option(names = "--from-position", paramLabel = "P", defaultValue = "0", description = "Steer/ablate/replace positions P and later only. Default: ${DEFAULT-VALUE} (all).")
    int fromPosition;

    List<Intervention> interventions() {
        List<Intervention> out = new ArrayList<>();
        boolean any = steer != null || ablate != null || replace != null;
        if (any && at == null) {
            throw new InputException("--at: name the hook to steer, ablate or replace at, e.g. --at blocks.1.hook_resid_post");
        }
        if (!any && at != null) {
            throw new InputException("--at: given without --steer, --ablate or --replace");
        }
        if (head != null && !any) {
            throw new InputException("--head: given without --steer, --ablate or --replace");
        }
        if (steer != null) {
            out.add(Intervention.add(at, Directions.read(steer, tensor), alpha, fromPosition));
        }
        if (ablate != null) {
            out.add(Intervention.projectOut(at, Directions.read(ablate, tensor), fromPosition));
        }
        if (replace != null) {
            // Last: what a replacement sets is what later layers read, whatever was added or projected before.
            out.add(Intervention.replace(at, Directions.read(replace, tensor), fromPosition));
        }
        return head == null ? out : out.stream().map(i -> i.onHead(head)).toList();
    }
}
