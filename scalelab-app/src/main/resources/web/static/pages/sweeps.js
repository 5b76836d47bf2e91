// The World sweeps page: a sweep's runs with progress and time left, accuracy per split against step
// (from /api/curves), and final/peak accuracy against width and depth with the world analysis's shape
// tests, bands, backtests and flags (from /api/sweeps). Live: /api/events says when the lab changed and
// which runs logged new points; the page then asks again. Nothing is computed here.
'use strict';
ScaleLab.ready(async () => {
  const $ = id => document.getElementById(id);
  const content = $('content');
  const state = {experiment: null, status: null, runs: new Set(), allRuns: true, metrics: new Set(), ended: -1};
  const SETS = ['atomic_id', 'compositional_id', 'compositional_near_ood', 'compositional_far_ood', 'analogical_ood', 'truth_ood',
    'trajectory_ood'];

  const enc = encodeURIComponent;
  const duration = s => s === null || s === undefined ? '—'
    : s < 90 ? Math.round(s) + ' s' : s < 5400 ? Math.round(s / 60) + ' min' : (s / 3600).toFixed(1) + ' h';

  // ---- experiments -----------------------------------------------------------------------------------
  const pick = $('sweep-experiment');
  async function loadExperiments() {
    const {experiments} = await ScaleLab.api('/api/sweeps');
    $('sweep-progress').textContent = experiments.length ? '' : 'No training runs in this lab yet: start a sweep with '
      + 'scalelab world sweep --experiment NAME and it appears here live.';
    const chosen = pick.value;
    pick.textContent = '';
    for (const e of experiments) {
      const o = document.createElement('option');
      o.value = e.experiment;
      o.textContent = e.experiment + ' (' + e.runs + ' runs' + (e.running ? ', ' + e.running + ' running' : '') + ')';
      pick.appendChild(o);
    }
    const wanted = chosen || new URLSearchParams(location.search).get('experiment');
    if (wanted && experiments.some(e => e.experiment === wanted)) pick.value = wanted;
    return experiments;
  }
  await loadExperiments();
  for (const s of SETS) {
    const o = document.createElement('option');
    o.value = s; o.textContent = s;
    $('sweep-set').appendChild(o);
  }
  $('sweep-set').value = 'analogical_ood';

  // ---- status: runs, progress, time left --------------------------------------------------------------
  async function loadStatus() {
    const s = await ScaleLab.api('/api/sweeps/' + enc(state.experiment));
    state.status = s;
    const pct = (100 * s.fraction).toFixed(0);
    $('sweep-progress').textContent = s.runs.length + ' runs known to the lab: ' + s.running + ' running, ' + s.ended + ' ended; '
      + pct + ' % of their steps' + (s.running ? '; time left ' + duration(s.eta_seconds) : '');
    $('sweep-progress').dataset.fraction = String(s.fraction);
    const rows = s.runs.map(r => [
      {text: r.run, href: r.link}, r.width, r.depth, r.seed, r.status, r.step + ' / ' + r.steps, (100 * r.fraction).toFixed(0) + ' %',
      duration(r.seconds), r.status === 'running' ? duration(r.eta_seconds) : '—',
      r.results.length ? r.results.map(x => x.analysis + ' #' + x.id).join(', ') : '—']);
    const box = $('sweep-runs-box');
    box.textContent = '';
    const t = ScaleLab.table(box, ['run', 'width', 'depth', 'seed', 'status', 'step', 'done', 'time', 'time left', 'results'], rows,
      {id: 'sweep-runs-table'});
    // Result links in their own anchors (one per result) in the last column.
    s.runs.forEach((r, i) => {
      if (!r.results.length) return;
      const cell = t.tBodies[0].rows[i].cells[9];
      cell.textContent = '';
      r.results.forEach((x, j) => {
        const a = document.createElement('a');
        a.href = x.link; a.textContent = x.analysis + ' #' + x.id;
        if (j) cell.appendChild(document.createTextNode(', '));
        cell.appendChild(a);
      });
    });
    pickers(s);
    return s;
  }

  function checkbox(container, value, label, checked, onChange) {
    const l = document.createElement('label');
    const c = document.createElement('input');
    c.type = 'checkbox'; c.value = value; c.checked = checked;
    c.addEventListener('change', () => onChange(c.checked));
    l.appendChild(c); l.appendChild(document.createTextNode(' ' + label));
    container.appendChild(l);
  }

  function pickers(s) {
    if (state.allRuns) s.runs.forEach(r => state.runs.add(r.run));
    const runBox = $('sweep-run-picks');
    runBox.textContent = '';
    for (const r of s.runs) {
      checkbox(runBox, r.run, r.run.substring(r.run.indexOf('/') + 1), state.runs.has(r.run), on => {
        if (on) state.runs.add(r.run); else { state.runs.delete(r.run); state.allRuns = false; }
        refreshCurves();
      });
    }
    if (state.metrics.size === 0) {
      for (const m of ['accuracy.analogical_ood', 'accuracy.compositional_near_ood']) if (s.metrics.includes(m)) state.metrics.add(m);
      if (state.metrics.size === 0) { const first = s.metrics.find(m => m.startsWith('accuracy.')) || s.metrics[0]; if (first) state.metrics.add(first); }
    }
    const metricBox = $('sweep-metric-picks');
    metricBox.textContent = '';
    for (const m of s.metrics) {
      checkbox(metricBox, m, m, state.metrics.has(m), on => {
        if (on) state.metrics.add(m); else state.metrics.delete(m);
        refreshCurves();
      });
    }
  }

  // ---- curves -------------------------------------------------------------------------------------------
  async function loadCurves() {
    const el = $('sweep-curves');
    const runs = [...state.runs].filter(r => state.status.runs.some(x => x.run === r));
    if (runs.length === 0 || state.metrics.size === 0) {
      $('sweep-curves-note').textContent = 'Pick at least one run and one metric.';
      return;
    }
    const q = runs.map(r => 'run=' + enc(r)).concat([...state.metrics].map(m => 'metric=' + enc(m)));
    q.push('group=' + ($('sweep-group').checked ? 'seeds' : 'none'), 'smooth=' + $('sweep-smooth').value, 'xlog=true');
    const c = await ScaleLab.api('/api/curves?' + q.join('&'));
    ScaleLab.chart(el, c.chart, {height: 460});
    $('sweep-curves-note').textContent = c.shown + ' of ' + c.points + ' points drawn'
      + (c.downsampled ? ' (downsampled keeping each bucket\'s minimum and maximum)' : '') + '. Click a line to open its run.';
  }

  // ---- scaling ------------------------------------------------------------------------------------------
  async function loadScaling() {
    const sc = await ScaleLab.api('/api/sweeps/' + enc(state.experiment) + '/scaling?set=' + enc($('sweep-set').value)
      + '&measure=' + enc($('sweep-measure').value));
    state.ended = sc.ended;
    $('sweep-scaling-note').textContent = sc.ended === 0
      ? 'No run has ended yet: the shape tests run on ended runs and are redone as each run ends (' + sc.running + ' running).'
      : 'Over the ' + sc.ended + ' runs that have ended' + (sc.running ? ' (' + sc.running + ' still running, added when they end)' : '')
        + '. Points are runs (click to open one); bands are the seeds\' 95 % interval (their range below 3 seeds); '
        + 'lines are the shape test\'s quadratic in log size.';
    const ids = ['sweep-width', 'sweep-depth'];
    ids.forEach((id, i) => {
      const el = $(id);
      if (sc.charts[i]) ScaleLab.chart(el, sc.charts[i], {height: 380});
    });
    const fits = $('sweep-fits-box');
    fits.textContent = '';
    ScaleLab.table(fits, ['axis', 'at', 'verdict', 'shape test', 'best size', 'lead of a smaller size', 'null p', 'turning point',
      'backtest', 'backtest mean |error|'],
      sc.fits.map(f => [f.axis, f.at, f.verdict, f.shape, f.best, f.lead, f.null_p, f.turning_point, f.backtest, f.backtest_mean_abs_error]),
      {id: 'sweep-fits'});
    const flags = $('sweep-flags-box');
    flags.textContent = '';
    ScaleLab.table(flags, ['where', 'detector', 'verdict', 'detail', 'null p'],
      sc.flags.map(f => [f.where, f.detector, f.verdict, f.detail, f.null_p]), {id: 'sweep-flags'});
    const list = $('sweep-findings');
    list.textContent = '';
    for (const f of sc.findings) {
      const li = document.createElement('li');
      li.textContent = f;
      list.appendChild(li);
    }
  }

  // ---- refreshes: one at a time, a second request waits and runs once -----------------------------------
  function serial(work) {
    let running = null, again = false;
    const go = async () => {
      if (running) { again = true; return running; }
      running = (async () => {
        try { await work(); } catch (e) { ScaleLab.showError(e); }
        running = null;
        if (again) { again = false; go(); }
      })();
      return running;
    };
    return go;
  }
  const refreshStatus = serial(async () => {
    const s = await loadStatus();
    if (s.ended !== state.ended) await refreshScaling();
  });
  const refreshCurves = serial(loadCurves);
  const refreshScaling = serial(loadScaling);

  async function show(experiment) {
    state.experiment = experiment;
    state.runs = new Set(); state.allRuns = true; state.metrics = new Set(); state.ended = -1;
    history.replaceState(null, '', '/sweeps?experiment=' + enc(experiment));
    await loadStatus();
    await Promise.all([loadCurves(), loadScaling()]);
  }

  pick.addEventListener('change', () => show(pick.value).catch(ScaleLab.showError));
  $('sweep-group').addEventListener('change', refreshCurves);
  $('sweep-smooth').addEventListener('change', refreshCurves);
  $('sweep-set').addEventListener('change', refreshScaling);
  $('sweep-measure').addEventListener('change', refreshScaling);
  $('sweep-runs-all').addEventListener('click', () => { state.allRuns = true; pickers(state.status); refreshCurves(); });
  $('sweep-runs-none').addEventListener('click', () => { state.allRuns = false; state.runs.clear(); pickers(state.status); refreshCurves(); });

  // ---- live --------------------------------------------------------------------------------------------
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => { $('sweep-live').textContent = 'live'; $('sweep-live').className = 'verdict good'; });
  events.addEventListener('error', () => { $('sweep-live').textContent = 'reconnecting…'; $('sweep-live').className = 'muted'; });
  const refreshExperiments = serial(async () => {
    await loadExperiments();
    if (!state.experiment && pick.value) await show(pick.value);
  });
  events.addEventListener('lab', () => {
    refreshExperiments();
    if (state.experiment) refreshStatus();
  });
  events.addEventListener('curves', e => {
    if (!state.experiment) return;
    const runs = JSON.parse(e.data).runs || [];
    const prefix = state.experiment + '/';
    if (runs.some(r => r.startsWith(prefix))) { refreshStatus(); refreshCurves(); }
  });
  window.addEventListener('pagehide', () => events.close());

  try {
    if (pick.value) await show(pick.value);
  } finally {
    delete content.dataset.loading;
  }
});
