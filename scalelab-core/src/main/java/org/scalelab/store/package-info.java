/**
 * The lab store: the lab's DuckDB database ({@code <lab>/scalelab.duckdb}), run imports into it, and
 * the reading queries an analysis may take its points from. Files are read through the readers of
 * {@code org.scalelab.io} ({@code SourceScan} for an import's source, {@code DataInput} for an
 * analysis's {@code --data} file); this package adds what only the store needs.
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li><b>Column mapping.</b> Each role (params, tokens, compute, model, family) uses the column given
 *       in {@link org.scalelab.store.ImportOptions}, else a column of the role's own name if present.
 *       Without {@code --metric}, a {@code loss} column becomes metric {@code loss}. Params is required
 *       (or tokens and compute, which give it); with two of params/tokens/compute the third is derived
 *       with C = 6·N·D (Kaplan et al. 2020 §2.1), and when all three are given they are stored as given
 *       (some papers count attention FLOPs too, so C need not equal 6·N·D). Params alone is a score
 *       table (leaderboards): tokens and compute stay NULL, and a query that reads them for a law
 *       that needs them is refused with a line saying which runs lack them. Metric values must be finite
 *       numbers (no empty cells); params, tokens and compute must also be &gt; 0.</li>
 *   <li><b>Records.</b> Runs that come as records ({@link org.scalelab.store.RunRecord}: an
 *       lm-evaluation-harness result file, an evaluation) are imported by
 *       {@link org.scalelab.store.LabStore#importRecords}: one import row per source with its SHA-256,
 *       every source of a call checked before any is written, all in one transaction. Metric names
 *       are free text ({@code arc_easy/acc}); a metric's standard error is stored beside its value
 *       ({@code metrics.stderr}) and appears in view {@code points} as column {@code <metric>_stderr}.</li>
 *   <li><b>Streaming.</b> Files are read by DuckDB ({@code read_csv}/{@code read_parquet}/
 *       {@code read_json}, through {@code io.SourceScan}) into a temporary table; checks are SQL aggregates returning the first bad
 *       row; runs are written with INSERT … SELECT in one transaction. A 1 GB CSV imports with ~18 MB
 *       of Java heap.</li>
 *   <li><b>Row numbers</b> in messages are 1-based data rows (CSV messages add the file line, header =
 *       line 1).</li>
 *   <li><b>Duplicates</b> are rows with equal model, params, tokens, compute and metric values (numbers
 *       compared as numbers: 2e8 equals 200000000); family is ignored. A file whose SHA-256 was
 *       imported before is refused (delete that import first).</li>
 *   <li><b>Reading SQL</b> ({@code sql}, {@code query}) must parse, in DuckDB's parser
 *       ({@code json_serialize_sql}), as exactly one SELECT; it runs with a time limit in a transaction
 *       that is always rolled back. Commands that only read open the store with
 *       {@link org.scalelab.store.LabStore#openReadOnly} ({@code access_mode=READ_ONLY},
 *       {@code enable_external_access=false}), so DuckDB itself refuses any write and any other file.
 *       Within one process a file is opened with one set of settings at a time: close a writing store
 *       before opening the same lab read-only.</li>
 *   <li><b>One writer, or several readers</b> per lab (DuckDB's file lock). Opening waits while
 *       another process holds the lab and then throws {@link org.scalelab.store.LabBusyException}
 *       (exit 75); long jobs use {@link org.scalelab.store.LabStore#openReleasing}, which holds the
 *       file only while each call runs, so readers get in between writes.</li>
 * </ul>
 */
package org.scalelab.store;
