/**
 * The transformer runtime: Hugging Face checkpoints in, logits and TransformerLens-named
 * activations out, on the DJL PyTorch engine (CPU, offline).
 *
 * <p>Reading order, top to bottom:
 * <ul>
 *   <li>{@link org.scalelab.model.TorchEngine}: starts PyTorch offline (DJL_OFFLINE, OPT_OUT_TRACKING, DJL_CACHE_DIR).</li>
 *   <li>{@link org.scalelab.io.SafetensorsFile} / {@link org.scalelab.io.SafetensorsWriter} (core) / {@link org.scalelab.model.SafetensorsArrays} /
 *       {@link org.scalelab.model.Weights}: the weight files (validated, memory-mapped, sharded index,
 *       atomic writes).</li>
 *   <li>{@link org.scalelab.model.ModelConfig}: config.json as one record per model shape;
 *       {@link org.scalelab.model.FamilyOptions} holds the Llama-like families' switches (sliding window,
 *       q/k/v biases, soft-capping).</li>
 *   <li>{@link org.scalelab.model.Family}: one class per architecture ({@code Gpt2Family}, {@code LlamaFamily},
 *       {@code MistralFamily}, {@code Qwen2Family}, {@code Phi3Family}, {@code GemmaFamily}, {@code Gemma2Family},
 *       {@code GptNeoXFamily}; the Llama-like ones share {@code LlamaLikeFamily}) holding its config.json keys,
 *       parameter names and shapes, block wiring and hook list; {@link org.scalelab.model.Families} finds them
 *       on the class path (docs/models.md: adding one).</li>
 *   <li>{@link org.scalelab.model.Transformer}: embedding → blocks ({@code Gpt2Block}, {@code LlamaBlock},
 *       {@code GemmaBlock}, {@code GptNeoXBlock}, as the family wires them; each built from {@code Norm},
 *       {@code CausalAttention}, {@code Rope}) → final norm → unembedding.
 *       One forward pass = one {@code Pass}: a scope that owns every intermediate array and the hooks.</li>
 *   <li>{@link org.scalelab.model.HookSet} selects activations by TransformerLens name or glob;
 *       {@link org.scalelab.model.HookNames} defines the names and what each one is.</li>
 *   <li>{@link org.scalelab.model.Intervention}: steering and ablation at a hook (add α·v, project out,
 *       replace), carried by the {@code HookSet} into forward passes, captures and generation;
 *       {@link org.scalelab.model.Directions} reads directions from .npy/.safetensors.</li>
 *   <li>{@link org.scalelab.model.ActivationPatch}: an activation replaced by one recorded in another run (at one position,
 *       one head, or whole), for activation patching.</li>
 *   <li>{@link org.scalelab.model.KvCache} and {@link org.scalelab.model.Generation}: incremental decoding.</li>
 *   <li>{@link org.scalelab.model.Capture}: prompts ({@link org.scalelab.model.Prompt}, JSONL) → batched forward →
 *       {@link org.scalelab.io.ActivationSetWriter} (shards + {@link org.scalelab.io.ActivationManifest},
 *       bounded memory, resumable); {@link org.scalelab.model.GenerationCapture} does the same for the
 *       activations computed while generating; {@link org.scalelab.io.ActivationSet} reads a set back, memory-mapped (the format lives in core {@code io}).
 *       {@link org.scalelab.model.StepRule} cuts a text (or a generated continuation) into reasoning steps at token
 *       positions, through the tokenizer's character spans ({@link org.scalelab.model.TokenSpans}).</li>
 *   <li>{@link org.scalelab.model.ModelInit}: seeded random checkpoints in the real layout;
 *       {@link org.scalelab.model.ModelTokenizer}: tokenizer.json.</li>
 * </ul>
 *
 * <p>Correctness is pinned by bench/reference_forward.py, an independent float64 PyTorch
 * implementation of the published architectures: every hook and the logits agree to 1e-4, and
 * greedy tokens agree one for one (ReferenceForwardTest).
 */
package org.scalelab.model;
