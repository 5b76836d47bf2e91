package org.scalelab.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a checkpoint folder holds, read from config.json and the safetensors headers only (no
 * engine start, no weights read): for {@code scalelab model info}.
 *
 * @param dir            the checkpoint folder
 * @param config         the parsed config.json
 * @param parameterCount scalars stored in the weight files (a tied unembedding counted once)
 * @param tensorCount    number of stored tensors
 * @param dtypes         stored element types → number of tensors of that type
 * @param weightFiles    the safetensors files (one, or the shards of the index)
 * @param tokenizer      whether the folder has a tokenizer.json (needed to encode text)
 */
public record ModelInfo(String dir, ModelConfig config, long parameterCount, int tensorCount,
                        Map<String, Integer> dtypes, List<String> weightFiles, boolean tokenizer) {

    public static ModelInfo read(Path dir) {
        ModelConfig config = ModelConfig.read(dir);
        try (Weights w = Weights.open(dir)) {
            Map<String, Integer> dtypes = new TreeMap<>();
            for (String name : w.names()) {
                dtypes.merge(w.info(name).dtype().name(), 1, Integer::sum);
            }
            List<String> files = w.files().stream().map(p -> p.getFileName().toString()).toList();
            return new ModelInfo(dir.toString(), config, w.parameterCount(), w.names().size(), dtypes, files,
                    java.nio.file.Files.isRegularFile(dir.resolve(ModelTokenizer.FILE)));
        }
    }
}
