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

  // ---- Charts -------------------------------------------------------------------------------------
  // A chart spec (org.scalelab.web.ChartSpec) is drawn as it is: the server computed every number;
  // the page only places them, bins a histogram's values and hides what a log axis cannot show.

  /** Okabe & Ito (2008), the same palette as the reports' plots. */
  const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

  /** A number as a person reads it: up to 4 significant digits, exponent when very small or large. */
  function fmt(v) {
    if (v === null || v === undefined || v === '') return '';
    if (typeof v !== 'number') return String(v);
    if (!Number.isFinite(v)) return String(v);
    if (v === 0) return '0';
    const a = Math.abs(v);
    if (a >= 1e6 || a < 1e-3) return v.toExponential(3).replace(/\.?0+e/, 'e');
    if (Number.isInteger(v)) return String(v);
    return String(Number(v.toPrecision(4)));
  }

  const shown = (v, log) => typeof v === 'number' && Number.isFinite(v) && (!log || v > 0);

  /** Equal-width bins over the finite values' range, as the reports' histograms use. */
  function bins(values, count) {
    const v = values.filter(Number.isFinite);
    if (v.length === 0) return [];
    let min = Math.min(...v), max = Math.max(...v);
    if (min === max) { min -= 0.5; max += 0.5; }
    const n = Math.max(1, count || 10), w = (max - min) / n, counts = new Array(n).fill(0);
    for (const x of v) counts[Math.min(n - 1, Math.floor((x - min) / w))]++;
    return counts.map((c, i) => [min + i * w, min + (i + 1) * w, c]);
  }

  function axisOption(axis, log, horizontal, fromZero) {
    const base = {name: axis.label || '', nameLocation: 'middle', nameGap: horizontal ? 28 : 52,
      splitLine: {show: true, lineStyle: {color: '#e6e6e6'}}, axisLabel: {formatter: fmt}};
    if (axis.categories) {
      return Object.assign(base, {type: 'category', data: axis.categories, axisLabel: {interval: 0},
        splitLine: {show: false}});
    }
    return Object.assign(base, {type: log ? 'log' : 'value', scale: !fromZero, logBase: 10});
  }

  /** The ECharts series for one spec series on axes with the given log state. */
  function seriesOption(s, k, spec, logX, logY, size) {
    const colour = PALETTE[k % PALETTE.length];
    const base = {name: s.name, id: 'spec-' + k, color: colour, animation: false};
    const pts = [];
    if (s.kind === 'points' || s.kind === 'line' || s.kind === 'dashed' || s.kind === 'cells') {
      for (let i = 0; i < s.x.length; i++) {
        if (shown(s.x[i], logX && !spec.x.categories) && shown(s.y[i], logY && !spec.y.categories)) pts.push([s.x[i], s.y[i], i]);
      }
    }
    switch (s.kind) {
      case 'points':
        return Object.assign(base, {type: 'scatter', data: pts, symbolSize: 7, encode: {x: 0, y: 1}});
      case 'line':
      case 'dashed':
        return Object.assign(base, {type: 'line', data: pts, showSymbol: pts.length <= 40, symbolSize: 5,
          encode: {x: 0, y: 1}, lineStyle: {width: 2, type: s.kind === 'dashed' ? 'dashed' : 'solid'}});
      case 'cells': {
        // a square half a grid cell wide, as the reports draw cells
        const nx = (spec.x.categories || [1, 2, 3, 4]).length, ny = (spec.y.categories || [1, 2, 3, 4]).length;
        const side = Math.max(12, Math.min(size[0] / nx, size[1] / ny) / 2);
        return Object.assign(base, {type: 'scatter', data: pts, symbol: 'rect', symbolSize: side, encode: {x: 0, y: 1}});
      }
      case 'band': {
        const rows = [];
        for (let i = 0; i < s.x.length; i++) {
          const mid = s.y ? s.y[i] : null;
          if (shown(s.x[i], logX) && shown(s.lo[i], logY) && shown(s.hi[i], logY) && (mid === null || shown(mid, logY))) {
            rows.push([s.x[i], s.lo[i], s.hi[i], mid, i]);
          }
        }
        return Object.assign(base, {type: 'custom', data: rows, encode: {x: 0, y: [1, 2]}, clip: true, z: 1,
          renderItem: (params, api) => bandShape(params, api, rows, colour)});
      }
      case 'histogram': {
        const rows = bins(s.x, s.bins).filter(b => shown(b[0], logX) && shown(b[1], logX) && shown(b[2], logY));
        return Object.assign(base, {type: 'custom', data: rows, encode: {x: [0, 1], y: 2}, clip: true,
          renderItem: (params, api) => {
            const a = api.coord([api.value(0), logY ? Math.min(...rows.map(r => r[2])) / 2 : 0]);
            const b = api.coord([api.value(1), api.value(2)]);
            return {type: 'rect', shape: {x: a[0] + 0.5, y: b[1], width: Math.max(1, b[0] - a[0] - 1), height: a[1] - b[1]},
              style: {fill: colour, opacity: 0.7}};
          }});
      }
      case 'heatmap': {
        const nx = (spec.x.categories || []).length;
        const rows = [];
        for (let i = 0; i < (s.z || []).length; i++) {
          const x = s.x ? s.x[i] : i % nx, y = s.y ? s.y[i] : Math.floor(i / nx);
          rows.push([x, y, Number.isFinite(s.z[i]) ? s.z[i] : '-', i]);
        }
        return Object.assign(base, {type: 'heatmap', data: rows, encode: {x: 0, y: 1, value: 2},
          label: {show: rows.length <= 80, formatter: p => fmt(p.value[2])}});
      }
      default:
        throw new Error('unknown chart series kind "' + s.kind + '" in ' + (spec.title || 'chart'));
    }
  }

  /** A band is one filled polygon lo..hi (and its middle line when the spec gives one). */
  function bandShape(params, api, rows, colour) {
    if (params.dataIndex !== 0 || rows.length === 0) return null;
    const upper = rows.map(r => api.coord([r[0], r[2]]));
    const lower = rows.map(r => api.coord([r[0], r[1]])).reverse();
    const children = [{type: 'polygon', shape: {points: upper.concat(lower)}, style: {fill: colour, opacity: 0.18}}];
    if (rows[0][3] !== null) {
      children.push({type: 'polyline', shape: {points: rows.map(r => api.coord([r[0], r[3]]))},
        style: {stroke: colour, lineWidth: 1.5, fill: null}});
    }
    return {type: 'group', children};
  }

  function markerSeries(spec, logX, logY) {
    const lines = [];
    for (const m of spec.markers || []) {
      if (!shown(m.value, m.vertical ? logX : logY)) continue;
      lines.push(Object.assign({name: m.label}, m.vertical ? {xAxis: m.value} : {yAxis: m.value}));
    }
    if (lines.length === 0) return null;
    return {type: 'line', id: 'markers', name: '\u200bmarkers', data: [], silent: true, animation: false,
      markLine: {symbol: 'none', silent: true, data: lines, lineStyle: {color: '#555', type: [3, 3], width: 1.2},
        label: {formatter: '{b}', position: 'insideEndTop', color: '#333'}}};
  }

  function tooltip(spec) {
    const xl = spec.x.label || 'x', yl = spec.y.label || 'y';
    const cat = (axis, v) => axis.categories ? axis.categories[v] : fmt(v);
    return {trigger: 'item', confine: true, formatter: p => {
      const s = spec.series[Number(String(p.seriesId).slice(5))];
      if (!s) return '';
      const v = p.value, head = '<b>' + esc(s.name) + '</b><br>';
      switch (s.kind) {
        case 'band': return head + esc(xl) + ': ' + fmt(v[0]) + '<br>' + esc(yl) + ': ' + fmt(v[1]) + ' … ' + fmt(v[2]);
        case 'histogram': return head + fmt(v[0]) + ' … ' + fmt(v[1]) + ': ' + v[2];
        case 'heatmap': return head + esc(cat(spec.x, v[0])) + ' × ' + esc(cat(spec.y, v[1])) + ': ' + fmt(v[2]);
        default: return head + esc(xl) + ': ' + esc(cat(spec.x, v[0])) + '<br>' + esc(yl) + ': ' + esc(cat(spec.y, v[1]))
          + (linkOf(s, v[2]) ? '<br><span style="color:#0072B2">click to open</span>' : '');
      }
    }};
  }

  /** The page point i of series s opens: links[i], or links[0] when one link stands for every point. */
  function linkOf(s, i) {
    if (!s.links) return null;
    return (s.links.length === 1 ? s.links[0] : s.links[i]) || null;
  }

  function esc(t) {
    return String(t).replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  }

  /** The whole ECharts option for a spec; state carries the log toggles, zoom and legend selection. */
  function chartOption(spec, state) {
    const series = spec.series.map((s, k) => seriesOption(s, k, spec, state.logX, state.logY,
      [(state.canvas.clientWidth || 800) - 120, (state.canvas.clientHeight || 420) - 140]));
    const markers = markerSeries(spec, state.logX, state.logY);
    if (markers) series.push(markers);
    const heat = spec.series.find(s => s.kind === 'heatmap');
    const numericX = !spec.x.categories, numericY = !spec.y.categories;
    const zoom = [];
    if (numericX) {
      zoom.push({type: 'inside', id: 'zx-in', xAxisIndex: 0, filterMode: 'none', start: state.zoomX[0], end: state.zoomX[1]});
      zoom.push({type: 'slider', id: 'zx', xAxisIndex: 0, filterMode: 'none', height: 18, bottom: 34,
        start: state.zoomX[0], end: state.zoomX[1]});
    }
    if (numericY) {
      zoom.push({type: 'inside', id: 'zy-in', yAxisIndex: 0, filterMode: 'none', start: state.zoomY[0], end: state.zoomY[1],
        zoomOnMouseWheel: 'shift', moveOnMouseMove: 'shift'});
    }
    const option = {
      animation: false,
      title: {text: spec.title || '', left: 'center', textStyle: {fontSize: 14}},
      color: PALETTE,
      grid: {left: 72, right: heat ? 90 : 28, top: 40, bottom: numericX ? 96 : 70, containLabel: false},
      tooltip: tooltip(spec),
      legend: {type: 'scroll', bottom: 4, data: spec.series.map(s => s.name), selected: state.selected || undefined},
      xAxis: axisOption(spec.x, state.logX, true),
      // counts start at zero; other axes span their data, as the reports' axes do
      yAxis: axisOption(spec.y, state.logY, false, spec.series.some(s => s.kind === 'histogram')),
      dataZoom: zoom,
      series
    };
    if (heat) {
      const z = (heat.z || []).filter(Number.isFinite);
      let lo = heat.lo && heat.lo.length === 1 ? heat.lo[0] : null, hi = heat.hi && heat.hi.length === 1 ? heat.hi[0] : null;
      if (lo === null || hi === null) {
        const m = z.length ? Math.max(...z.map(Math.abs)) : 1;
        lo = -m; hi = m;
      }
      if (!(hi > lo)) hi = lo + 1;
      option.visualMap = {type: 'continuous', min: lo, max: hi, calculable: true, right: 4, top: 'middle',
        dimension: 2, seriesIndex: spec.series.indexOf(heat), inRange: {color: ['#2166AC', '#FFFFFF', '#B2182B']},
        formatter: fmt, itemHeight: 160};
    }
    return option;
  }

  /** Every data point of a spec as rows: series, kind, index, x, y, lo, hi, z. */
  function specRows(spec) {
    const rows = [['series', 'kind', 'index', 'x', 'y', 'lo', 'hi', 'z']];
    const at = (a, i) => (a && i < a.length ? a[i] : '');
    for (const s of spec.series) {
      const n = Math.max((s.x || []).length, (s.z || []).length);
      for (let i = 0; i < n; i++) rows.push([s.name, s.kind, i, at(s.x, i), at(s.y, i), at(s.lo, i), at(s.hi, i), at(s.z, i)]);
    }
    return rows;
  }

  function csv(rows) {
    const cell = v => {
      const t = v === null || v === undefined ? '' : String(v);
      return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
    };
    return rows.map(r => r.map(cell).join(',')).join('\n') + '\n';
  }

  function save(name, blob) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  function stem(el, spec) {
    const base = el.id || spec.title || 'chart';
    return base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart';
  }

  /** The drawing as SVG text, rendered off screen by ECharts' server-side renderer. */
  function svgOf(el) {
    const st = el._scaleLab;
    const ssr = echarts.init(null, null, {renderer: 'svg', ssr: true, width: st.canvas.clientWidth || 800,
      height: st.canvas.clientHeight || 420});
    try {
      const option = chartOption(st.spec, st);
      option.dataZoom = option.dataZoom.filter(z => z.type !== 'slider');
      ssr.setOption(option);
      return ssr.renderToSVGString();
    } finally {
      ssr.dispose();
    }
  }

  function button(bar, cls, text, title, onClick) {
    const b = document.createElement('button');
    b.type = 'button'; b.className = cls; b.textContent = text; b.title = title;
    b.addEventListener('click', onClick);
    bar.appendChild(b);
    return b;
  }

  function setupChart(el, opts) {
    el.classList.add('chart-box');
    const bar = document.createElement('div');
    bar.className = 'chart-bar';
    const canvas = document.createElement('div');
    canvas.className = 'chart-canvas';
    canvas.style.height = ((opts && opts.height) || 420) + 'px';
    el.replaceChildren(bar, canvas);
    const st = {bar, canvas, chart: echarts.init(canvas), opts: opts || {}, userLogX: null, userLogY: null};
    el._scaleLab = st;
    const toggle = axis => () => {
      const key = axis === 'x' ? 'userLogX' : 'userLogY';
      st[key] = !(axis === 'x' ? st.logX : st.logY);
      draw(el, st.spec, true);
    };
    st.logXButton = button(bar, 'toggle-log-x', 'x: linear', 'switch the horizontal axis between log and linear', toggle('x'));
    st.logYButton = button(bar, 'toggle-log-y', 'y: linear', 'switch the vertical axis between log and linear', toggle('y'));
    const sep = document.createElement('span'); sep.className = 'chart-bar-sep'; sep.textContent = 'download';
    bar.appendChild(sep);
    button(bar, 'download-png', 'PNG', 'the chart as a PNG image', () => {
      const url = st.chart.getDataURL({type: 'png', pixelRatio: 2, backgroundColor: '#fff',
        excludeComponents: ['dataZoom']});
      // Decoded here, not fetched: the Content-Security-Policy lets pages connect to the server only.
      const bytes = atob(url.slice(url.indexOf(',') + 1));
      const buf = new Uint8Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) buf[i] = bytes.charCodeAt(i);
      save(stem(el, st.spec) + '.png', new Blob([buf], {type: 'image/png'}));
    });
    button(bar, 'download-svg', 'SVG', 'the chart as an SVG image', () =>
      save(stem(el, st.spec) + '.svg', new Blob([svgOf(el)], {type: 'image/svg+xml'})));
    button(bar, 'download-csv', 'CSV', 'the chart\u2019s data, one row per point', () =>
      save(stem(el, st.spec) + '.csv', new Blob([csv(specRows(st.spec))], {type: 'text/csv'})));
    button(bar, 'download-json', 'JSON', 'the chart\u2019s data as drawn', () =>
      save(stem(el, st.spec) + '.json', new Blob([JSON.stringify(st.spec, null, 1)], {type: 'application/json'})));
    st.chart.on('click', p => {
      if (typeof p.seriesId !== 'string' || !p.seriesId.startsWith('spec-') || !Array.isArray(p.value)) return;
      const k = Number(p.seriesId.slice(5)), s = st.spec.series[k];
      const index = s.kind === 'band' ? p.value[4] : s.kind === 'heatmap' ? p.value[3] : p.value[2];
      if (st.opts.onPointClick) st.opts.onPointClick(s, index, k);
      else if (linkOf(s, index)) location.href = linkOf(s, index);
    });
    st.chart.on('finished', () => { el.dataset.rendered = 'true'; });
    new ResizeObserver(() => st.chart.resize()).observe(canvas);
    return st;
  }

  /** Keeps what the reader chose (zoom, hidden series) across redraws of the same element. */
  function remember(st) {
    const o = st.chart.getOption();
    st.zoomX = [0, 100]; st.zoomY = [0, 100]; st.selected = null;
    if (!o) return;
    for (const z of o.dataZoom || []) {
      if (z.id === 'zx') st.zoomX = [z.start, z.end];
      if (z.id === 'zy-in') st.zoomY = [z.start, z.end];
    }
    if (o.legend && o.legend[0]) st.selected = o.legend[0].selected;
  }

  function draw(el, spec, keepZoom) {
    const st = el._scaleLab;
    if (keepZoom && st.spec) remember(st); else { st.zoomX = [0, 100]; st.zoomY = [0, 100]; st.selected = null; }
    st.spec = spec;
    st.logX = !spec.x.categories && (st.userLogX !== null ? st.userLogX : !!spec.x.log);
    st.logY = !spec.y.categories && (st.userLogY !== null ? st.userLogY : !!spec.y.log);
    st.logXButton.hidden = !!spec.x.categories;
    st.logYButton.hidden = !!spec.y.categories;
    st.logXButton.textContent = 'x: ' + (st.logX ? 'log' : 'linear');
    st.logYButton.textContent = 'y: ' + (st.logY ? 'log' : 'linear');
    el.dataset.series = String(spec.series.length);
    el.dataset.logX = String(st.logX);
    el.dataset.logY = String(st.logY);
    delete el.dataset.rendered;
    st.chart.setOption(chartOption(spec, st), {notMerge: true});
  }

  /**
   * Draws a chart spec into el (a bar of toggles and downloads above the drawing) and returns the ECharts
   * instance. Drawing again into the same el replaces the data and keeps the zoom, hidden series and
   * log choices. opts: {height, onPointClick(series, index, seriesNumber)}; without onPointClick a
   * series' links[index] (or its only link, which stands for every point) is opened on click.
   */
  function chart(el, spec, opts) {
    const again = !!el._scaleLab;
    if (!again) setupChart(el, opts);
    else if (opts) el._scaleLab.opts = opts;
    draw(el, spec, again);
    return el._scaleLab.chart;
  }

  /** The ECharts instance drawn into el by chart(), or null. */
  function chartOf(el) {
    return el && el._scaleLab ? el._scaleLab.chart : null;
  }

  // ---- Tables and result views ---------------------------------------------------------------------

  /**
   * A plain table appended to el (replacing a previous one with the same id); cells are text, numbers
   * or {text, href} links. The table carries data-rows (rows shown).
   */
  function table(el, header, rows, options) {
    const id = options && options.id;
    const t = document.createElement('table');
    if (id) {
      t.id = id;
      const old = document.getElementById(id);
      if (old) old.remove();
    }
    const head = t.createTHead().insertRow();
    for (const h of header) {
      const th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const c of row) {
        const td = tr.insertCell();
        if (c && typeof c === 'object' && c.href) {
          const a = document.createElement('a');
          a.href = c.href; a.textContent = c.text === undefined ? c.href : c.text;
          td.appendChild(a);
        } else {
          td.textContent = typeof c === 'number' ? fmt(c) : (c === null || c === undefined ? '' : String(c));
        }
        if (typeof c === 'number' || /^[-+−]?[0-9]/.test(td.textContent)) td.className = 'num';
      }
    }
    t.dataset.rows = String(rows.length);
    el.appendChild(t);
    return t;
  }

  /**
   * Draws a result view (GET /api/results/{id}/view: headings, text, tables, verdicts, charts, code,
   * links) into el, in order. Charts get ids "chart-NAME", tables "table-N".
   */
  function report(el, view) {
    let tables = 0;
    const add = (tag, cls, text) => {
      const e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      el.appendChild(e);
      return e;
    };
    for (const b of view.blocks || []) {
      switch (b.type) {
        case 'heading': add('h2', null, b.text); break;
        case 'text': add('p', 'report-text', b.text); break;
        case 'code': add('pre', 'code', b.text); break;
        case 'table': {
          const box = add('div', 'table-box');
          table(box, b.header, b.rows, {id: 'table-' + (tables++)});
          break;
        }
        case 'verdict': {
          const v = add('div', 'verdict ' + (b.good ? 'good' : 'bad'));
          const label = document.createElement('b');
          label.textContent = b.label + ' ';
          v.append(label, document.createTextNode(b.text));
          break;
        }
        case 'link': {
          const p = add('p');
          const a = document.createElement('a');
          a.href = b.href; a.textContent = b.text;
          p.appendChild(a);
          break;
        }
        case 'chart': {
          const fig = add('figure', 'report-chart');
          const box = document.createElement('div');
          box.id = 'chart-' + b.name;
          fig.appendChild(box);
          const cap = document.createElement('figcaption');
          cap.textContent = (b.caption || '') + ' ';
          for (const [label, href] of [['SVG', b.svg], ['PNG', b.png]]) {
            if (!href) continue;
            const a = document.createElement('a');
            a.href = href; a.textContent = label; a.className = 'plot-' + label.toLowerCase();
            a.title = 'the report\u2019s own plot, drawn on the server';
            cap.append(a, document.createTextNode(' '));
          }
          fig.appendChild(cap);
          chart(box, b.spec);
          break;
        }
        default: add('pre', 'code', JSON.stringify(b, null, 1));
      }
    }
  }

  return {api, showError, ready, chart, chartOf, table, report, fmt};
})();
