// The Geometry page: a saved geometry result drawn by the report's renderer (metric table by domain ×
// size with intervals and null baselines, scree, PCA projections, tangling, the phase diagram), a
// profile of every layer (geometry_layers) or the cost of thought (thought_cost).
'use strict';
ScaleLab.ready(async () => {
  await SavedResults.show(document.getElementById('content'), {
    prefixes: ['geometry', 'thought_cost'],
    label: 'Geometry result',
    // the page's own view: the report with PCA projections of the activation sets read again
    viewUrl: id => '/api/geometry/' + id + '/view',
    empty: 'No geometry results yet: capture activations by domain and size, then run scalelab geometry, for example:',
    commands: [
      'scalelab world capture --experiment small',
      'scalelab geometry --acts lab/activations/world-small-w32-d1 --acts lab/activations/world-small-w64-d1 --by domain --compare-sizes'],
  });
});
