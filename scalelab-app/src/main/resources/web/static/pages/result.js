// The Result page (/results/{id}): the saved result's report drawn from /api/results/{id}/view, its
// provenance, and links to the record and every plot's downloads.
'use strict';
ScaleLab.ready(async () => {
  const content = document.getElementById('content');
  content.dataset.loading = 'true';
  try {
    const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
    const [view, stored] = await Promise.all([
      ScaleLab.api('/api/results/' + encodeURIComponent(id) + '/view'),
      ScaleLab.api('/api/results/' + encodeURIComponent(id))]);
    document.title = 'ScaleLab · result ' + view.id + ' · ' + view.analysis;
    document.querySelector('main h1').textContent = 'Result ' + view.id + ': ' + view.analysis;

    const about = document.createElement('section');
    about.id = 'provenance';
    const h = document.createElement('h2');
    h.textContent = 'Provenance';
    about.appendChild(h);
    const dl = document.createElement('dl');
    dl.className = 'provenance';
    const row = (k, v) => {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = v;
      dl.append(dt, dd);
    };
    row('analysis', stored.analysis);
    row('saved', stored.created_at);
    row('version', stored.version);
    row('seed', stored.seed === null || stored.seed === undefined ? '—' : String(stored.seed));
    for (const input of stored.inputs || []) {
      row('input', input.source + (input.rows !== undefined ? ' (' + input.rows + ' rows)' : '')
        + (input.sha256 ? ', sha256 ' + input.sha256.slice(0, 12) + '…' : ''));
    }
    row('options', JSON.stringify(stored.options || {}));
    about.appendChild(dl);
    const links = document.createElement('p');
    links.className = 'downloads';
    const link = (text, href, cls) => {
      const a = document.createElement('a');
      a.href = href; a.textContent = text; a.className = cls;
      links.appendChild(a);
    };
    link('record with provenance (JSON)', '/api/results/' + view.id, 'download-record');
    link('view (JSON)', '/api/results/' + view.id + '/view', 'download-view');
    for (const b of view.blocks.filter(x => x.type === 'chart')) {
      const base = '/api/results/' + view.id + '/plots/' + b.name;
      link(b.name + ': SVG', base + '.svg', 'plot-link');
      link('PNG', base + '.png', 'plot-link');
      link('CSV', base + '.csv', 'plot-link');
      link('JSON', base + '.json', 'plot-link');
    }
    about.appendChild(links);

    const report = document.createElement('section');
    report.id = 'report';
    content.append(about, report);
    ScaleLab.report(report, view);
  } finally {
    delete content.dataset.loading;
  }
});
