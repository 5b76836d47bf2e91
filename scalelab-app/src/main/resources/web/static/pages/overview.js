// The Overview page: draws GET /api/overview — what the lab holds, its latest results, and a card per
// model family whose every line repeats a saved result (linked) or names the command that makes one.
'use strict';
ScaleLab.ready(async () => {
  const content = document.getElementById('content');
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };
  try {
    const o = await ScaleLab.api('/api/overview');
    if (o.empty) {
      content.append(welcome());
      return;
    }
    content.append(holdings(o.holdings), el('h2', {text: 'Model families at a glance'}), cards(o.families),
        el('h2', {text: 'Latest results'}), latest(o.latest, o.holdings));
  } finally {
    delete content.dataset.loading;
  }

  function welcome() {
    const box = el('div', {id: 'welcome', class: 'card welcome'});
    box.append(el('h2', {text: 'This lab is empty'}),
        el('p', {text: 'A lab holds runs (imported from files) and the results of analyses. Two ways to fill it:'}));
    const ul = el('ul');
    const li1 = el('li');
    li1.append(el('code', {text: 'scalelab demo'}),
        ' — synthetic runs drawn from known scaling laws, their fits and forecasts, and a small trained sweep with its geometry and capability phases (a few minutes; ',
        el('code', {text: 'scalelab demo --no-world'}), ' takes seconds).');
    const li2 = el('li');
    li2.append(el('code', {text: 'scalelab runs import runs.csv'}),
        ' — your own runs (CSV, Parquet or JSONL with params and tokens or compute, and metrics such as loss), then ',
        el('code', {text: 'scalelab fit chinchilla --query "SELECT params, tokens, loss FROM points"'}), '.');
    ul.append(li1, li2);
    box.append(ul, el('p', {class: 'muted', text: 'Give the same --lab folder to those commands and to scalelab serve; this page shows what they add.'}));
    return box;
  }

  function holdings(h) {
    const box = el('div', {class: 'holdings', id: 'holdings'});
    const stat = (n, label, href) => {
      const s = el('div', {class: 'stat'});
      s.append(el('b', {text: String(n)}));
      s.append(href ? el('a', {href, text: label}) : label);
      return s;
    };
    box.append(stat(h.runs, 'runs', '/runs'), stat(h.imports, 'imports'), stat(Object.keys(h.runs_by_family).length, 'families'),
        stat(h.training_runs, 'training runs', h.training_runs ? '/sweeps' : null), stat(h.results, 'results'));
    const wrap = el('div');
    wrap.append(box);
    const by = Object.entries(h.results_by_analysis);
    if (by.length) {
      wrap.append(el('p', {class: 'muted', id: 'results-by-analysis', text: 'Results by analysis: ' + by.map(([a, n]) => `${a} ${n}`).join(' · ')}));
    }
    return wrap;
  }

  function cards(families) {
    const box = el('div', {class: 'cards', id: 'family-cards'});
    for (const f of families) {
      const card = el('div', {class: 'card family', 'data-family': f.family});
      const h = el('h3');
      h.append(f.family);
      if (f.runs_href) {
        h.append(' ', el('a', {href: f.runs_href, class: 'muted', style: 'font-weight: normal; font-size: 13px',
          text: `${f.runs} run${f.runs === 1 ? '' : 's'}`}));
      }
      card.append(h);
      for (const i of f.items) {
        const item = el('div', {class: 'item' + (i.result_id ? '' : ' missing'), 'data-kind': i.kind});
        const title = el('div', {class: 'title'});
        title.append(i.title);
        if (i.href) title.append(' ', el('a', {href: i.href, text: `#${i.result_id} ${i.analysis}`}));
        item.append(title);
        if (i.result_id) {
          const ul = el('ul');
          for (const line of i.lines) ul.append(el('li', {text: line}));
          item.append(ul);
        } else {
          const p = el('div');
          p.append('no result yet: ', el('code', {text: i.hint}));
          item.append(p);
        }
        card.append(item);
      }
      box.append(card);
    }
    if (!families.length) box.append(el('p', {class: 'muted', text: 'No family has a result yet.'}));
    return box;
  }

  function latest(list, h) {
    const ul = el('ul', {class: 'latest', id: 'latest-results'});
    for (const r of list) {
      const li = el('li');
      li.append(el('a', {href: r.href, text: `#${r.id} ${r.analysis}`}), ' ', el('span', {class: 'muted', text: r.created_at}));
      ul.append(li);
    }
    if (!list.length) ul.append(el('li', {class: 'muted', text: 'None yet: every analysis command saves its result here.'}));
    return ul;
  }
});
