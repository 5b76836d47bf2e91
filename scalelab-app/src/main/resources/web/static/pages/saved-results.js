// Shared by the Test-time & reliability, Geometry and Capability phases pages: a picker of the lab's saved
// results of the page's analyses (newest first) and the chosen result drawn from its view
// (GET /api/results/{id}/view, made by the renderer the command line uses). The chosen id is kept in the
// address (?result=ID) so a view can be linked. Without such results, an empty state names the command
// that makes one.
'use strict';
const SavedResults = (() => {
  /** The saved results whose analysis starts with one of the prefixes, newest first. */
  async function list(prefixes) {
    const lists = await Promise.all(prefixes.map(p => ScaleLab.api('/api/results?analysis=' + encodeURIComponent(p))));
    const seen = new Map();
    for (const l of lists) for (const r of l) seen.set(r.resultId, r);
    return [...seen.values()].sort((a, b) => b.resultId - a.resultId);
  }

  function element(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** The empty state: a sentence and the command lines that make a result of this page's kinds. */
  function empty(el, sentence, commands) {
    const box = element('div', {id: 'empty-state', class: 'card'});
    box.appendChild(element('p', {}, sentence));
    for (const c of commands) box.appendChild(element('pre', {class: 'code'}, c));
    el.appendChild(box);
  }

  async function draw(viewEl, link, id) {
    const content = document.getElementById('content');
    content.dataset.loading = 'true';
    try {
      const view = await ScaleLab.api('/api/results/' + id + '/view');
      viewEl.replaceChildren();
      link.href = '/results/' + id;
      ScaleLab.report(viewEl, view);
      viewEl.dataset.result = String(id);
    } finally {
      delete content.dataset.loading;
    }
  }

  /**
   * Fills el with the picker and the chosen result's view. options: {prefixes: ['testtime.', ...],
   * label: 'Saved result', empty: sentence, commands: [command lines]}.
   */
  async function show(el, options) {
    const content = document.getElementById('content');
    content.dataset.loading = 'true';
    let results;
    try {
      results = await list(options.prefixes);
    } finally {
      delete content.dataset.loading;
    }
    if (results.length === 0) {
      empty(el, options.empty, options.commands);
      return;
    }
    const bar = element('p', {class: 'picker'});
    const label = element('label', {for: 'result-picker'}, (options.label || 'Saved result') + ' ');
    const select = element('select', {id: 'result-picker'});
    for (const r of results) {
      const when = (r.createdAt || '').replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
      select.appendChild(element('option', {value: String(r.resultId)}, '#' + r.resultId + ' ' + r.analysis + ' · ' + when));
    }
    const link = element('a', {id: 'result-link'}, 'open as a result page');
    bar.append(label, select, document.createTextNode(' '), link);
    el.appendChild(bar);
    const viewEl = element('div', {id: 'result-view'});
    el.appendChild(viewEl);
    const wanted = new URLSearchParams(location.search).get('result');
    if (wanted && results.some(r => String(r.resultId) === wanted)) select.value = wanted;
    select.addEventListener('change', async () => {
      const url = new URL(location.href);
      url.searchParams.set('result', select.value);
      history.replaceState(null, '', url);
      try { await draw(viewEl, link, select.value); } catch (e) { ScaleLab.showError(e); }
    });
    await draw(viewEl, link, select.value);
  }

  return {show, list};
})();
