// The Capability phases page: a saved phase result drawn by the report's renderer (scores: γ12 against
// size with the critical size N_c; coupling per layer and size; steering dose-response with its control
// band; the diagnosis with its phase map and recommendation).
'use strict';
ScaleLab.ready(async () => {
  await SavedResults.show(document.getElementById('content'), {
    prefixes: ['phase.'],
    label: 'Phase result',
    empty: 'No capability-phase results yet: run scalelab phase scores on benchmark scores of model families, '
      + 'or scalelab phase diagnose on activation sets, for example:',
    commands: [
      'scalelab phase scores --data scores.csv --a hellaswag --b truthfulqa --d-model-col d_model',
      'scalelab phase diagnose --set lab/activations/phase-w32-d1 --set lab/activations/phase-w64-d1 '
        + '--truth-task truth.jsonl --reasoning-task reasoning.jsonl'],
  });
});
