// The Runs page: one page of the runs table from /api/runs (the server filters, sorts and pages in the
// lab's database; this page only draws what it answers), the training runs, and the read-only SQL box.
// ?q=TEXT, ?family=F, ?model=M (or ?run=M) in the address fill the filters; the address follows them.
'use strict';
ScaleLab.ready(async () => {
  const content = document.getElementById('content');
  const $ = id => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const state = {
    q: params.get('q') || '',
    family: params.get('family') || '',
    model: params.get('model') || params.get('run') || '',
    sort: params.get('sort') || '',
    desc: params.get('desc') === 'true',
    offset: 0,
    limit: 100,
  };
  $('runs-q').value = state.q;
  $('runs-model').value = state.model;
  let families = null;
  let request = 0;

  const cell = v => (v === null || v === undefined ? '—' : ScaleLab.fmt(v));

  function address() {
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.family) p.set('family', state.family);
    if (state.model) p.set('model', state.model);
    if (state.sort) p.set('sort', state.sort);
    if (state.sort && state.desc) p.set('desc', 'true');
    return p;
  }

  function fillFamilies(list) {
    if (families !== null) return;
    families = list;
    const select = $('runs-family');
    const names = state.family && !list.includes(state.family) ? list.concat([state.family]) : list;
    for (const f of names) {
      const o = document.createElement('option');
      o.value = f; o.textContent = f;
      select.appendChild(o);
    }
    select.value = state.family;
  }

  function drawTable(page) {
    const t = document.createElement('table');
    t.id = 'runs-table';
    const head = t.createTHead().insertRow();
    const sortedBy = state.sort || 'run_id';
    for (const c of page.columns) {
      const th = document.createElement('th');
      th.textContent = c;
      th.dataset.column = c;
      th.title = 'sort by ' + c;
      if (c === sortedBy) th.setAttribute('aria-sort', state.desc ? 'descending' : 'ascending');
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const row of page.rows) {
      const tr = body.insertRow();
      for (const v of row) {
        const td = tr.insertCell();
        td.textContent = cell(v);
        if (typeof v === 'number') td.className = 'num';
      }
    }
    t.dataset.rows = String(page.rows.length);
    t.dataset.total = String(page.total);
    const box = $('runs-box');
    box.replaceChildren(t);
    if (page.total === 0) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = state.q || state.family || state.model ? 'No run matches the filters.'
          : 'No runs yet: import some with scalelab runs import FILE (or scalelab demo).';
      box.appendChild(p);
    }
    const first = page.rows.length ? state.offset + 1 : 0;
    $('runs-total').textContent = `rows ${first}–${state.offset + page.rows.length} of ${page.total} run${page.total === 1 ? '' : 's'}`;
    $('runs-prev').disabled = state.offset === 0;
    $('runs-next').disabled = state.offset + page.rows.length >= page.total;
  }

  async function load() {
    const mine = ++request;
    const p = address();
    p.set('offset', String(state.offset));
    p.set('limit', String(state.limit));
    content.dataset.loading = 'true';
    try {
      const page = await ScaleLab.api('/api/runs?' + p.toString());
      if (mine !== request) return;
      fillFamilies(page.families);
      drawTable(page);
      const shown = address().toString();
      history.replaceState(null, '', location.pathname + (shown ? '?' + shown : ''));
    } catch (e) {
      if (mine === request) ScaleLab.showError(e, $('runs-box'));
    } finally {
      if (mine === request) delete content.dataset.loading;
    }
  }

  function refilter() {
    state.offset = 0;
    load();
  }

  // Typing waits for a pause before asking; a choice in a list asks at once.
  let typing = null;
  const debounced = () => {
    clearTimeout(typing);
    typing = setTimeout(refilter, 120);
  };
  $('runs-q').addEventListener('input', () => { state.q = $('runs-q').value.trim(); debounced(); });
  $('runs-model').addEventListener('input', () => { state.model = $('runs-model').value.trim(); debounced(); });
  $('runs-family').addEventListener('change', () => { state.family = $('runs-family').value; refilter(); });
  $('runs-limit').addEventListener('change', () => { state.limit = Number($('runs-limit').value); refilter(); });
  $('runs-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); load(); });
  $('runs-next').addEventListener('click', () => { state.offset += state.limit; load(); });
  $('runs-box').addEventListener('click', ev => {
    const th = ev.target.closest('th');
    if (!th || !th.dataset.column) return;
    const c = th.dataset.column;
    const current = state.sort || 'run_id';
    state.desc = c === current ? !state.desc : false;
    state.sort = c;
    refilter();
  });

  // This page loads ECharts only when it draws a chart (a training run's curves), so its table paints sooner.
  function chartLibrary() {
    if (window.echarts) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/webjars/echarts/5.3.1/dist/echarts.min.js';
      script.addEventListener('load', resolve);
      script.addEventListener('error', () => reject(new Error('cannot load the chart library')));
      document.head.append(script);
    });
  }

  async function training() {
    const runs = await ScaleLab.api('/api/runs/training');
    const box = $('training-box');
    if (!runs.length) {
      box.innerHTML = '<p class="muted">None yet: <code>scalelab world sweep</code> trains some.</p>';
      return;
    }
    // ?run=NAME naming a training run (the sweeps page links each point so): that run alone, with its curves.
    const wanted = params.get('run');
    const picked = wanted ? runs.filter(r => r.run === wanted) : [];
    const rows = (picked.length ? picked : runs).map(r => [r.run,
      {href: '/sweeps?experiment=' + encodeURIComponent(r.experiment), text: r.experiment},
      r.status, r.parameters, r.step, r.seconds]);
    ScaleLab.table(box, ['run', 'experiment', 'status', 'parameters', 'step', 'seconds'], rows, {id: 'training-table'});
    if (!picked.length) return;
    if (state.model === wanted) { // not a run of the runs table: show that table unfiltered
      state.model = '';
      $('runs-model').value = '';
      refilter();
    }
    const note = document.createElement('p');
    note.id = 'training-picked';
    note.append('Training run ' + wanted + ' and its curves; ');
    const all = document.createElement('a');
    all.href = '/runs'; all.textContent = 'every run';
    note.append(all, '.');
    const chart = document.createElement('div');
    chart.id = 'run-curves'; chart.className = 'chart';
    box.prepend(note);
    box.append(chart);
    const [answer] = await Promise.all([ScaleLab.api('/api/curves?run=' + encodeURIComponent(wanted)), chartLibrary()]);
    ScaleLab.chart(chart, answer.chart);
    box.scrollIntoView();
  }

  async function runSql() {
    const status = $('sql-status');
    const error = $('sql-error');
    error.replaceChildren();
    status.textContent = 'running…';
    const started = performance.now();
    try {
      const maxRows = Number($('sql-max').value || '1000');
      const r = await ScaleLab.api('/api/sql', {sql: $('sql-text').value, maxRows});
      const box = $('sql-box');
      box.replaceChildren();
      const rows = r.rows.map(row => row.map(v => (v === null ? '—' : v)));
      ScaleLab.table(box, r.columns, rows, {id: 'sql-table'});
      status.textContent = `${r.rows.length} row${r.rows.length === 1 ? '' : 's'}${r.truncated ? ' (more not shown: raise Max rows)' : ''}`
          + ` in ${Math.round(performance.now() - started)} ms`;
    } catch (e) {
      status.textContent = '';
      $('sql-box').replaceChildren();
      const box = document.createElement('div');
      box.className = 'error';
      box.id = 'sql-message';
      box.textContent = e.message;
      error.appendChild(box);
    }
  }
  $('sql-run').addEventListener('click', runSql);
  $('sql-text').addEventListener('keydown', ev => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); runSql(); }
  });

  // The table first: the training runs below it wait until its rows are drawn.
  await load();
  await training().catch(e => ScaleLab.showError(e, $('training-box')));
});
