// Shared by every page: navigation, JSON requests with the access token, errors shown on the page,
// and ScaleLab.chart (drawing a chart spec from /api/ with ECharts).
'use strict';
const ScaleLab = (() => {
  const PAGES = [
    ['/', 'Overview'], ['/runs', 'Runs'], ['/laws', 'Laws'], ['/testtime', 'Test-time & reliability'],
    ['/sweeps', 'World sweeps'], ['/geometry', 'Geometry'], ['/phases', 'Capability phases']];

  function nav() {
    const el = document.getElementById('nav');
    const brand = document.createElement('a');
    brand.href = '/'; brand.textContent = 'ScaleLab'; brand.className = 'brand';
    el.appendChild(brand);
    for (const [href, label] of PAGES) {
      const a = document.createElement('a');
      a.href = href; a.textContent = label;
      if (location.pathname === href) a.className = 'current';
      el.appendChild(a);
    }
  }

  /** GET (or POST with a JSON body) under /api/; throws an Error with the server's message on failure. */
  async function api(path, body) {
    const init = body === undefined ? {} : {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)};
    const res = await fetch(path, Object.assign({credentials: 'same-origin'}, init));
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error((data && data.message) || (res.status + ' ' + res.statusText));
    return data;
  }

  /** Shows an error message at the top of the page's content (or inside el). */
  function showError(err, el) {
    const box = document.createElement('div');
    box.className = 'error';
    box.textContent = String(err && err.message ? err.message : err);
    (el || document.getElementById('content')).prepend(box);
  }

  /** Runs the page's setup once the DOM and scripts are ready, showing any error it throws. */
  function ready(setup) {
    const run = async () => {
      nav();
      try { await setup(); } catch (e) { showError(e); }
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run); else run();
  }

  return {api, showError, ready};
})();
