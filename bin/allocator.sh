# Sourced by bin/scalelab with the command's arguments (and by benchmarks that start the JVM themselves,
# without): chooses the C allocator of the process. Measured on a 1.24 B Llama on 2 cores (BENCHMARKS.md,
# "Transformer runtime at real size", and docs/development.md, "The C allocator"):
# - Passes over batches make and free tensors of tens of MB many times a pass. glibc's malloc maps every
#   one of 32 MiB or more afresh (its mmap threshold cannot be set higher) and the kernel faults its pages in
#   again, so an element-wise product of [8, 128, 8192] floats costs 50 ms instead of 1.5 ms; and the
#   holes smaller arrays leave in its arenas keep the resident set climbing. jemalloc reuses freed extents
#   and returns idle pages after a decay: capture at batch 8 40.4 -> 31.8 s, peak RSS 5.75 -> 5.45 GB.
#   oversize_threshold:0 keeps large tensors in the ordinary arenas (by default jemalloc gives every
#   allocation above 8 MiB an arena that returns its pages at once, which faults them in again);
#   background_thread purges idle pages off the computing threads.
# - generate runs one token at a time on arrays of kilobytes, which glibc serves from its arenas without
#   faults; there jemalloc's per-thread caches and arenas cost 0.05-0.1 GB and time, so generate keeps glibc.
# SCALELAB_MALLOC=jemalloc|system overrides the choice; a MALLOC_CONF or LD_PRELOAD of the user's own is kept.
# SCALELAB_PRELOADED and SCALELAB_MALLOC_CONF name what was added, so that programs ScaleLab starts (a
# browser) do not inherit it.
scalelab_command=""
for arg in "$@"; do
  case "$arg" in -*) ;; *) scalelab_command=$arg; break ;; esac
done
scalelab_malloc=jemalloc
if [ "$scalelab_command" = generate ]; then scalelab_malloc=system; fi
if [ "${SCALELAB_MALLOC:-$scalelab_malloc}" = jemalloc ]; then
  for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
    if [ -f "$lib" ]; then
      export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}" SCALELAB_PRELOADED="$lib"
      if [ -z "${MALLOC_CONF:-}" ]; then
        export MALLOC_CONF="oversize_threshold:0,background_thread:true" SCALELAB_MALLOC_CONF="oversize_threshold:0,background_thread:true"
      fi
      break
    fi
  done
fi
unset scalelab_command scalelab_malloc lib
