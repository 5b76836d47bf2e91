package org.scalelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.scalelab.InputException;
import org.scalelab.io.Json;

/**
 * The non-tensor half of a training checkpoint ({@code trainer_state.json}): how far training
 * got, where the data order stands (its whole random state, see {@link DataOrder}), and what the
 * run was started with, so a resume can refuse different data or options.
 *
 * @param step         updates done (also AdamW's t)
 * @param epoch        data-order epoch of the next batch
 * @param cursor       data-order index of the next batch's first example in that epoch
 * @param seed         data-order seed
 * @param examples     number of training examples
 * @param dataSha256   fingerprint of the examples (tokens and masks, in order)
 * @param lastLoss     loss of the last update (NaN before the first)
 * @param options      the run's {@link TrainOptions} as JSON
 */
record TrainerState(long step, long epoch, int cursor, long seed, int examples, String dataSha256, double lastLoss,
                    JsonNode options) {
    static final String FILE = "trainer_state.json";

    ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("format", "scalelab-trainer-state-1");
        o.put("step", step);
        o.put("epoch", epoch);
        o.put("cursor", cursor);
        o.put("seed", seed);
        o.put("examples", examples);
        o.put("data_sha256", dataSha256);
        if (Double.isFinite(lastLoss)) {
            o.put("last_loss", lastLoss);
        } else {
            o.putNull("last_loss");
        }
        o.set("options", options);
        return o;
    }

    static TrainerState read(Path checkpoint) {
        Path file = checkpoint.resolve(FILE);
        JsonNode n;
        try {
            n = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new InputException(file + ": cannot read trainer state: " + Json.problem(e), e);
        }
        for (String key : new String[] {"step", "epoch", "cursor", "seed", "examples", "data_sha256", "options"}) {
            if (n == null || !n.hasNonNull(key)) {
                throw new InputException(file + ": missing field \"" + key + "\"");
            }
        }
        return new TrainerState(n.get("step").asLong(), n.get("epoch").asLong(), n.get("cursor").asInt(), n.get("seed").asLong(),
                n.get("examples").asInt(), n.get("data_sha256").asText(),
                n.hasNonNull("last_loss") ? n.get("last_loss").asDouble() : Double.NaN, n.get("options"));
    }

    static boolean exists(Path checkpoint) {
        return Files.isRegularFile(checkpoint.resolve(FILE));
    }
}
