/**
 * File formats: the one place that reads and writes each kind of file ScaleLab exchanges with
 * other tools, with no tensor engine (the runtime adapts these readers to DJL arrays in
 * {@code org.scalelab.model.SafetensorsArrays}).
 *
 * <p>Reading order, top to bottom:
 * <ul>
 *   <li>{@link org.scalelab.io.InputFile}: the first check of every reader (the path is a readable file);
 *       {@link org.scalelab.io.Json}: the one JSON mapper (snake_case records) and one-line parse errors.</li>
 *   <li>{@link org.scalelab.io.AtomicFiles} and {@link org.scalelab.io.OutputFolder}: writes that appear under
 *       their final name only when complete (write to a hidden sibling, then rename), and the rules for
 *       where a command may write.</li>
 *   <li>{@link org.scalelab.io.SafetensorsFile} / {@link org.scalelab.io.SafetensorsWriter}: the safetensors
 *       format (checkpoints, optimizer state, activation shards), validated as strictly as the reference
 *       reader, memory-mapped; {@link org.scalelab.io.DType} is the dtype table (F32, F16, BF16, I32 and the
 *       conversions), {@link org.scalelab.io.TensorInfo} one header entry.</li>
 *   <li>{@link org.scalelab.io.ActivationManifest}, {@link org.scalelab.io.ActivationSet},
 *       {@link org.scalelab.io.ActivationSetWriter}: activation sets ({@code manifest.json} + safetensors
 *       shards), the contract between the runtime and the analyses: one record, one reader (refuses an
 *       interrupted capture unless asked), one streaming, resumable writer. docs/activation-sets.md
 *       describes the format field by field.</li>
 *   <li>{@link org.scalelab.io.NpyFile} (with {@code ZipMembers}): NumPy {@code .npy} arrays and
 *       {@code .npz} archives, float32 data memory-mapped; its header parser also serves the runtime's
 *       direction files ({@code model.Directions}), and it writes 1-D float32 {@code .npy} vectors.</li>
 *   <li>Tables (CSV/TSV, Parquet, JSONL), the files of runs and samples an analysis reads:
 *       {@code CsvHeader}, the one parser of a CSV header line; {@link org.scalelab.io.SourceScan}, a file
 *       seen through an in-memory DuckDB (CSV with the sniffer off and every column given explicitly, so
 *       a ragged row is an error naming its line, never silently skipped), also used by the store's
 *       imports; {@link org.scalelab.io.ValueCheck}, the first bad value of staged columns found in SQL;
 *       {@link org.scalelab.io.DataInput}, named numeric columns as a {@link org.scalelab.io.NumericTable}
 *       (validated finite, the value the curve laws take), with {@code PlainCsv} its fast path for small
 *       plain CSV files; {@link org.scalelab.io.TextColumns}, text columns (problem ids, answers) through
 *       the same CSV scan. {@link org.scalelab.io.Columns} words a missing column the same way for all,
 *       {@link org.scalelab.io.DuckDbSettings} and {@link org.scalelab.io.SqlText} set up and quote the
 *       DuckDB they use. Reading from the lab store ({@code --query}) lives in {@code store}.</li>
 * </ul>
 *
 * <p>Decisions worth knowing: readers fail with an {@link org.scalelab.InputException} naming the
 * file, the entry (tensor, trajectory, member, line) and the field, never with another exception
 * (ReaderFuzzTest feeds them malformed files); whatever is memory-mapped is validated first, so a
 * damaged header never maps bytes outside the file.
 */
package org.scalelab.io;
