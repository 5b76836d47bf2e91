// The Laws page: pick data and a law, fit it as a background job (progress, cancel), see the saved fit's
// view (data, fit, band, backtest, frontier) and provenance, and compare two saved fits on one chart.
// Everything drawn comes from /api/: the page computes nothing.
'use strict';
ScaleLab.ready(async () => {
  const $ = id => document.getElementById(id);
  const content = $('content');
  try {
    await setup();
  } finally {
    delete content.dataset.loading;
  }

  async function setup() {
    const data = await ScaleLab.api('/api/laws/data');

    // --- the form --------------------------------------------------------------------------------
    const importSel = $('fit-import');
    for (const imp of data.imports) {
      const o = document.createElement('option');
      o.value = imp.id;
      o.textContent = '#' + imp.id + ' ' + imp.source + ' (' + imp.rows + ' runs)';
      importSel.appendChild(o);
    }
    const familySel = $('fit-family');
    function families() {
      familySel.length = 1;
      const imp = data.imports.find(i => String(i.id) === importSel.value);
      for (const f of (imp ? imp.families : [])) {
        const o = document.createElement('option');
        o.value = f; o.textContent = f;
        familySel.appendChild(o);
      }
    }
    importSel.addEventListener('change', families);
    families();
    if (data.imports.length === 0) $('fit-source-query').checked = true;

    function showSource() {
      const query = $('fit-source-query').checked;
      $('fit-import-box').hidden = query;
      $('fit-query-box').hidden = !query;
    }
    $('fit-source-import').addEventListener('change', showSource);
    $('fit-source-query').addEventListener('change', showSource);
    showSource();

    const law = $('fit-law');
    function showLaw() {
      const l = law.value;
      for (const el of document.querySelectorAll('.law-curve')) el.hidden = l === 'chinchilla';
      for (const k of ['chinchilla', 'power', 'sigmoid', 'bnsl']) {
        for (const el of document.querySelectorAll('.law-' + k)) el.hidden = l !== k;
      }
      if (l === 'sigmoid' && $('fit-y').value === 'loss') $('fit-y').value = 'accuracy';
      if (l !== 'sigmoid' && $('fit-y').value === 'accuracy') $('fit-y').value = 'loss';
      $('fit-bootstrap').value = l === 'chinchilla' ? 1000 : 200;
    }
    law.addEventListener('change', showLaw);
    showLaw();

    if (!data.allow_jobs) {
      $('jobs-disabled').hidden = false;
      for (const el of $('fit-form').querySelectorAll('input, select, textarea, button')) el.disabled = true;
    }

    /** The fit request, field for field as POST /api/jobs takes it (defaults are the command line's). */
    function request() {
      const r = {kind: 'fit', law: law.value};
      if ($('fit-source-query').checked) {
        r.query = $('fit-query').value;
      } else {
        r.import = Number(importSel.value);
        if (familySel.value) r.family = familySel.value;
      }
      const text = id => $(id).value.trim();
      const whole = id => { const v = text(id); return v === '' ? undefined : Number(v); };
      r.bootstrap = whole('fit-bootstrap');
      r.seed = whole('fit-seed');
      r.backtest = $('fit-backtest').checked;
      if (text('fit-forecast')) r.forecast = text('fit-forecast').split(',').map(Number);
      if (law.value === 'chinchilla') {
        r.params_col = text('fit-params-col') || undefined;
        r.tokens_col = text('fit-tokens-col') || undefined;
        r.compute_col = text('fit-compute-col') || undefined;
        r.loss_col = text('fit-loss-col') || undefined;
        r.drop_highest_loss = whole('fit-drop');
        r.grid = $('fit-grid').value;
      } else {
        r.x = text('fit-x');
        r.y = text('fit-y');
      }
      if (law.value === 'power') r.offset = $('fit-offset').checked;
      if (law.value === 'sigmoid') {
        const level = id => (text(id).toLowerCase() === 'fit' ? 'fit' : Number(text(id)));
        r.floor = level('fit-floor');
        r.ceiling = level('fit-ceiling');
      }
      if (law.value === 'bnsl') {
        r.breaks = whole('fit-breaks');
        r.criterion = $('fit-criterion').value;
      }
      return r;
    }

    // --- the job ---------------------------------------------------------------------------------
    const jobBox = $('fit-job');
    let running = null;

    function showJob(s) {
      jobBox.hidden = false;
      jobBox.dataset.state = s.state;
      jobBox.dataset.job = s.id;
      if (s.result_id != null) jobBox.dataset.result = String(s.result_id);
      $('fit-progress').value = s.fraction;
      $('fit-job-message').textContent = s.state === 'failed' ? 'failed: ' + s.error
        : s.state === 'running' ? s.message : s.state;
      $('fit-job-eta').textContent = s.state === 'running' && s.eta_seconds != null
        ? Math.round(s.fraction * 100) + ' %, about ' + Math.ceil(s.eta_seconds) + ' s left' : '';
      $('fit-cancel').hidden = !(s.state === 'running' || s.state === 'queued');
    }

    async function follow(id) {
      running = id;
      for (;;) {
        const s = await ScaleLab.api('/api/jobs/' + id);
        showJob(s);
        if (s.state === 'done') {
          running = null;
          await listFits();
          if (s.result_id != null) await showFit(s.result_id);
          return;
        }
        if (s.state === 'failed' || s.state === 'cancelled') { running = null; return; }
        await new Promise(r => setTimeout(r, 300));
      }
    }

    $('fit-form').addEventListener('submit', async e => {
      e.preventDefault();
      for (const old of content.querySelectorAll('#fit-section > .error')) old.remove();
      try {
        const started = await ScaleLab.api('/api/jobs', request());
        await follow(started.id);
      } catch (err) {
        ScaleLab.showError(err, $('fit-section'));
      }
    });

    $('fit-cancel').addEventListener('click', async () => {
      if (running == null) return;
      const res = await fetch('/api/jobs/' + running, {method: 'DELETE', credentials: 'same-origin'});
      if (res.ok) showJob(await res.json());
    });

    // --- saved fits ------------------------------------------------------------------------------
    let fits = [];
    async function listFits() {
      fits = await ScaleLab.api('/api/laws/fits');
      const box = $('fits');
      box.textContent = '';
      if (fits.length === 0) {
        const p = document.createElement('p');
        p.className = 'muted';
        p.textContent = 'No saved fits in this lab yet.';
        box.appendChild(p);
      }
      const table = document.createElement('table');
      table.id = 'fits-table';
      table.innerHTML = '<thead><tr><th>result</th><th>law</th><th>saved</th><th>seed</th><th></th></tr></thead>';
      const body = document.createElement('tbody');
      for (const f of fits) {
        const tr = document.createElement('tr');
        for (const v of ['#' + f.result_id, f.analysis.replace(/^fit\./, ''), f.created_at, f.seed == null ? '—' : f.seed]) {
          const td = document.createElement('td');
          td.textContent = v;
          tr.appendChild(td);
        }
        const td = document.createElement('td');
        const b = document.createElement('button');
        b.type = 'button'; b.textContent = 'show'; b.className = 'show-fit'; b.dataset.id = f.result_id;
        b.addEventListener('click', () => showFit(f.result_id).catch(err => ScaleLab.showError(err)));
        td.appendChild(b);
        tr.appendChild(td);
        body.appendChild(tr);
      }
      table.appendChild(body);
      table.dataset.rows = String(fits.length);
      if (fits.length > 0) box.appendChild(table);
      for (const [id, pick] of [['compare-a', 0], ['compare-b', 1]]) {
        const sel = $(id);
        const keep = sel.value;
        sel.textContent = '';
        for (const f of fits) {
          const o = document.createElement('option');
          o.value = f.result_id;
          o.textContent = '#' + f.result_id + ' ' + f.analysis.replace(/^fit\./, '');
          sel.appendChild(o);
        }
        if (keep && fits.some(f => String(f.result_id) === keep)) sel.value = keep;
        else if (fits.length > pick) sel.value = fits[pick].result_id;
      }
      $('compare-run').disabled = fits.length < 2;
    }

    async function showFit(id) {
      const fit = await ScaleLab.api('/api/laws/fits/' + id);
      const section = $('fit-shown');
      section.hidden = false;
      section.dataset.result = String(id);
      $('fit-title').textContent = 'Fit #' + id + ' (' + fit.analysis + ')';
      const view = $('fit-view');
      view.textContent = '';
      ScaleLab.report(view, fit.view);
      const p = fit.provenance;
      const rows = [['saved', p.created_at], ['ScaleLab version', p.version], ['seed', p.seed == null ? '—' : String(p.seed)]];
      for (const input of p.inputs || []) {
        rows.push(['input', input.source + '  (' + input.rows + ' rows, sha256 ' + input.sha256 + ')']);
      }
      for (const [k, v] of Object.entries(p.options || {})) rows.push(['option ' + k, JSON.stringify(v)]);
      const prov = $('fit-provenance');
      prov.textContent = '';
      ScaleLab.table(prov, ['', ''], rows, {id: 'fit-provenance-table'});
    }

    $('compare-run').addEventListener('click', async () => {
      try {
        const spec = await ScaleLab.api('/api/laws/compare?a=' + $('compare-a').value + '&b=' + $('compare-b').value);
        const el = $('compare-chart');
        el.hidden = false;
        ScaleLab.chart(el, spec, {height: 460});
      } catch (err) {
        ScaleLab.showError(err);
      }
    });

    await listFits();
    const params = new URLSearchParams(location.search);
    if (params.get('fit')) await showFit(params.get('fit'));
    else if (fits.length > 0) await showFit(fits[0].result_id);
  }
});
