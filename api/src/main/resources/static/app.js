// Whittle's dashboard: plain JavaScript over the REST API. Every request carries the API key kept in localStorage
// (Authorization: Bearer ...); event streams are read with fetch() since EventSource cannot send that header; chart
// images are fetched the same way and shown from blob URLs. A refused request shows its RFC 9457 problem detail.
'use strict';

const KEY = 'whittle.apiKey';
const main = () => document.getElementById('main');
let stopPage = () => {};

/** An element: h('a', {href: '#'}, 'text', child...). Text is always set as text, never parsed as HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || ('HTTP ' + status));
    this.status = status;
    this.body = body || {};
  }
}

function headers(extra) {
  const key = localStorage.getItem(KEY);
  return Object.assign(key ? {Authorization: 'Bearer ' + key} : {}, extra || {});
}

async function api(path, options) {
  const opts = Object.assign({}, options);
  opts.headers = headers(opts.headers);
  const r = await fetch(path, opts);
  if (!r.ok) {
    let body = null;
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    throw new Problem(r.status, body);
  }
  const type = r.headers.get('Content-Type') || '';
  return type.includes('json') ? r.json() : r.text();
}

function post(path, body) {
  return api(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: body == null ? '' : body});
}

/** Shows a problem (title, status, detail, each field) in the alert region; none clears it. */
function showProblem(error) {
  const box = document.getElementById('problem');
  box.replaceChildren();
  if (!error) { box.hidden = true; return; }
  const p = error instanceof Problem ? error.body : {};
  box.append(h('h2', {}, (p.title || 'Request failed') + (error.status ? ' (' + error.status + ')' : '')),
      h('p', {class: 'detail'}, error.message));
  if (Array.isArray(p.errors) && p.errors.length) {
    box.append(h('ul', {}, p.errors.map(e => h('li', {}, h('code', {}, e.field), ': ', e.message))));
  }
  box.hidden = false;
  box.focus();
}

/** An <img> whose bytes are fetched with the key; its alt says what it shows. */
function chart(path, alt) {
  const img = h('img', {class: 'chart', alt: alt});
  fetch(path, {headers: headers()}).then(async r => {
    if (!r.ok) { img.alt = alt + ' (not available: HTTP ' + r.status + ')'; return; }
    img.src = URL.createObjectURL(await r.blob());
  });
  return img;
}

function bar(percent, label) {
  return h('progress', {max: 100, value: percent == null ? 0 : percent, 'aria-label': label || 'progress'},
      percent == null ? '' : percent + '%');
}

function duration(seconds) {
  if (seconds == null) return '';
  const s = Math.round(seconds);
  return s >= 3600 ? Math.floor(s / 3600) + 'h ' + Math.floor(s % 3600 / 60) + 'm'
      : s >= 60 ? Math.floor(s / 60) + 'm ' + (s % 60) + 's' : s + 's';
}

const fmt = {
  count: v => v == null ? '' : Number(v).toLocaleString('en'),
  ratio: v => v == null ? '' : Number(v).toFixed(3),
  pct: v => v == null ? '' : (100 * v).toFixed(1) + '%',
  bytes: v => v == null ? '' : v >= 1e9 ? (v / 1e9).toFixed(2) + ' GB' : v >= 1e6 ? (v / 1e6).toFixed(1) + ' MB' : (v / 1e3).toFixed(1) + ' kB',
  time: v => v ? new Date(v).toLocaleString() : '',
};

function table(columns, rows, caption) {
  return h('table', {}, caption ? h('caption', {class: 'muted'}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map(c => h('th', {scope: 'col'}, c.title)))),
      h('tbody', {}, rows.map(r => h('tr', {}, columns.map(c => {
        const v = c.value(r);
        return h('td', {class: c.num ? 'num' : null}, v);
      })))));
}

/** Repeats fn every ms while this page is shown. */
function every(ms, fn) {
  let timer = null;
  let live = true;
  const tick = async () => {
    try { await fn(); } catch (e) { showProblem(e); }
    if (live) timer = setTimeout(tick, ms);
  };
  tick();
  return () => { live = false; clearTimeout(timer); };
}

/** Reads a Server-Sent Events stream with fetch (so the key goes along); calls onEvent(type, data) per event. */
function stream(path, onEvent) {
  const controller = new AbortController();
  (async () => {
    const r = await fetch(path, {headers: headers({Accept: 'text/event-stream'}), signal: controller.signal});
    if (!r.ok) throw new Problem(r.status, await r.json().catch(() => null));
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trim();
        }
        if (data) onEvent(type, JSON.parse(data));
      }
    }
  })().catch(e => { if (e.name !== 'AbortError') showProblem(e); });
  return () => controller.abort();
}

// --- pages ---------------------------------------------------------------------------------------------------

async function jobsPage() {
  const holder = h('div');
  main().replaceChildren(h('h2', {}, 'Jobs'), holder);
  return every(2000, async () => {
    const page = await api('/api/v1/jobs?size=50');
    holder.replaceChildren(table([
      {title: 'Job', value: j => h('a', {href: '#/jobs/' + j.id}, j.name || j.id.slice(0, 8))},
      {title: 'Status', value: j => h('span', {class: 'status-' + j.status}, j.status)},
      {title: 'Model', value: j => j.model ? j.model.name : ''},
      {title: 'Stages', value: j => j.stages.map(s => s.type).join(' → ')},
      {title: 'Progress', value: j => [bar(j.progress.percent, 'progress of job ' + j.id), ' ', j.progress.percent == null ? '' : j.progress.percent + '%']},
      {title: 'Remaining', value: j => duration(j.progress.remainingSeconds)},
      {title: 'Created', value: j => fmt.time(j.createdAt)},
    ], page.items, page.totalItems + ' jobs, newest first'));
  });
}

async function jobPage(id) {
  const head = h('div');
  const log = h('div', {class: 'events', tabindex: 0, 'aria-label': 'events'});
  main().replaceChildren(head, h('h3', {}, 'Events'), log);
  const render = async () => {
    const j = await api('/api/v1/jobs/' + id);
    const p = j.progress;
    head.replaceChildren(
        h('h2', {}, 'Job ', j.name || j.id),
        h('p', {}, 'Status: ', h('strong', {class: 'status-' + j.status, id: 'job-status'}, j.status),
            j.model ? [' · model ', h('a', {href: '#/models/' + j.model.id}, j.model.name)] : '',
            j.outputModel ? [' · wrote ', h('a', {href: '#/models/' + j.outputModel.id}, j.outputModel.name)] : ''),
        h('p', {}, bar(p.percent, 'job progress'), ' ', p.percent == null ? '' : p.percent + '%',
            p.stageName ? ' · ' + p.stageName : '', p.message ? ' · ' + p.message : '',
            p.remainingSeconds != null ? ' · ' + duration(p.remainingSeconds) + ' left' : '',
            p.elapsedSeconds != null ? ' · ' + duration(p.elapsedSeconds) + ' elapsed' : ''),
        h('ol', {start: 0}, j.stages.map((s, i) => h('li', {'aria-current': p.stageIndex === i && !j.finishedAt ? 'step' : null},
            h('strong', {}, s.type), ' ', h('code', {}, JSON.stringify(Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'type'))))))),
        j.error ? h('p', {class: 'status-FAILED'}, j.error.code, ': ', j.error.message) : '',
        ['QUEUED', 'RUNNING'].includes(j.status) ? h('button', {onclick: () => post('/api/v1/jobs/' + id + '/cancel').then(render, showProblem)}, 'Cancel job') : '');
  };
  await render();
  return stream('/api/v1/jobs/' + id + '/events/stream', (type, e) => {
    log.append(h('div', {}, fmt.time(e.at), ' ', e.level, ' ', e.type, ': ', e.message));
    log.scrollTop = log.scrollHeight;
    render().catch(showProblem);
  });
}

async function modelsPage() {
  const page = await api('/api/v1/models?size=200');
  main().replaceChildren(h('h2', {}, 'Models'), table([
    {title: 'Model', value: m => h('a', {href: '#/models/' + m.id}, m.name)},
    {title: 'Family', value: m => m.family},
    {title: 'Parameters', num: true, value: m => fmt.count(m.parameterCount)},
    {title: 'Size', num: true, value: m => fmt.bytes(m.sizeBytes)},
    {title: 'Made by', value: m => m.producingJobId ? h('a', {href: '#/jobs/' + m.producingJobId}, 'job ' + m.producingJobId.slice(0, 8)) : 'registered'},
    {title: 'Created', value: m => fmt.time(m.createdAt)},
  ], page.items));
}

async function modelPage(id) {
  const [lineage, files] = await Promise.all([api('/api/v1/models/' + id + '/lineage'), api('/api/v1/models/' + id + '/files')]);
  const m = lineage.model;
  const link = x => h('a', {href: '#/models/' + x.id}, x.name);
  main().replaceChildren(
      h('h2', {}, m.name),
      h('p', {}, m.family, ' · ', fmt.count(m.parameterCount), ' parameters · ', fmt.bytes(m.sizeBytes), ' · ', h('code', {}, m.path)),
      h('h3', {}, 'Lineage'),
      h('ul', {class: 'lineage'},
          lineage.ancestors.map(a => h('li', {}, 'ancestor: ', link(a))),
          h('li', {}, h('strong', {}, m.name), ' (this model)'),
          lineage.descendants.map(d => h('li', {}, 'descendant: ', link(d)))),
      h('p', {}, h('a', {href: '#/compare?models=' + encodeURIComponent([lineage.ancestors.length ? lineage.ancestors[0].name : m.name, m.name].join(','))}, 'Compare with its dense ancestor')),
      h('h3', {}, 'Files'),
      table([{title: 'File', value: f => f.name}, {title: 'Size', num: true, value: f => fmt.bytes(f.sizeBytes)},
        {title: 'SHA-256', value: f => h('code', {}, (f.sha256 || '').slice(0, 16))}], files),
      h('h3', {}, 'Sparsity per layer'),
      chart('/api/v1/models/' + id + '/plots/sparsity.png', 'Sparsity per layer of ' + m.name));
}

async function comparePage(query) {
  const models = query.get('models') || '';
  const input = h('input', {id: 'compare-models', value: models, size: 60, placeholder: 'whittle-ref,whittle-ref-wanda50'});
  const out = h('div');
  main().replaceChildren(h('h2', {}, 'Compare models'),
      h('form', {onsubmit: e => { e.preventDefault(); location.hash = '#/compare?models=' + encodeURIComponent(input.value); }},
          h('label', {for: 'compare-models'}, 'Models (the first is the reference) '), input, ' ', h('button', {type: 'submit'}, 'Compare')),
      out);
  if (!models) return;
  const c = await api('/api/v1/reports/compare?models=' + encodeURIComponent(models));
  const names = c.models.map(m => m.name);
  out.append(
      table([{title: 'Task', value: r => r.task + (r.excludedFromAverage ? ' (not averaged)' : '')},
        {title: 'Metric', value: r => r.metric},
        ...names.map((n, i) => ({title: n, num: true, value: r => r.cells[i] ? fmt.ratio(r.cells[i].value.value) : ''})),
        ...names.slice(1).map((n, i) => ({title: 'retention ' + n, num: true, value: r => r.cells[i + 1] && r.cells[i + 1].retention ? fmt.ratio(r.cells[i + 1].retention.value) : ''}))],
      c.tasks, 'Headline metric per task'),
      table([{title: 'Model', value: m => m.name}, {title: 'Average retention', num: true, value: m => fmt.ratio((c.averageRetention.find(a => a.modelId === m.id) || {}).value)},
        {title: 'Block sparsity', num: true, value: m => fmt.pct(m.blockSparsity)}, {title: 'Parameters', num: true, value: m => fmt.count(m.parameters)},
        {title: 'Non-zero', num: true, value: m => fmt.count(m.nonZero)}, {title: 'MACs/token', num: true, value: m => fmt.count(m.macsPerToken)}], c.models, 'Costs'),
      c.warnings.length ? h('ul', {class: 'muted'}, c.warnings.map(w => h('li', {}, w))) : '',
      h('h3', {}, 'Sparsity per layer'),
      h('div', {class: 'charts'}, c.models.map(m => chart('/api/v1/models/' + m.id + '/plots/sparsity.png?width=640&height=360', 'Sparsity per layer of ' + m.name))));
}

const TEMPLATE = {
  name: 'sweep', model: 'whittle-ref',
  stages: [{type: 'PRUNE', method: 'magnitude'}],
  axes: {method: ['magnitude', 'wanda', 'sparsegpt'], sparsity: [0.3, 0.5, 0.7]},
  evaluation: {tasks: ['ref-multiple-choice'], limit: 20},
  maxParallel: 2,
};

async function experimentsPage() {
  const text = h('textarea', {id: 'experiment-json', rows: 14, cols: 90, 'aria-describedby': 'experiment-help'},
      JSON.stringify(TEMPLATE, null, 2));
  const list = h('div');
  main().replaceChildren(h('h2', {}, 'Experiments'),
      h('form', {id: 'experiment-form', class: 'grid', onsubmit: async e => {
        e.preventDefault();
        let body;
        try { body = JSON.stringify(JSON.parse(text.value)); } catch (err) { showProblem(new Problem(0, {title: 'Not JSON', detail: err.message})); return; }
        try {
          const created = await post('/api/v1/experiments', body);
          showProblem(null);
          location.hash = '#/experiments/' + created.id;
        } catch (err) { showProblem(err); }
      }},
          h('label', {for: 'experiment-json'}, 'New experiment'),
          h('div', {}, text, h('p', {id: 'experiment-help', class: 'muted'},
              'A template of stages, axes (a trial per combination; a field of the first stage, or N.field), the evaluation, maxParallel, maxFailedTrials.')),
          h('span'), h('div', {}, h('button', {type: 'submit', id: 'experiment-submit'}, 'Start experiment'))),
      h('h3', {}, 'All experiments'), list);
  return every(3000, async () => {
    const page = await api('/api/v1/experiments?size=50');
    list.replaceChildren(table([
      {title: 'Experiment', value: x => h('a', {href: '#/experiments/' + x.id}, x.name || x.id.slice(0, 8))},
      {title: 'Model', value: x => x.model ? x.model.name : ''},
      {title: 'Status', value: x => h('span', {class: 'status-' + x.status}, x.status)},
      {title: 'Trials', value: x => [bar(x.progress.percent, 'progress of experiment ' + x.id), ' ', x.progress.done + ' of ' + x.progress.total + ' done']},
      {title: 'Remaining', value: x => duration(x.progress.remainingSeconds)},
      {title: 'Created', value: x => fmt.time(x.createdAt)},
    ], page.items));
  });
}

async function experimentPage(id) {
  const head = h('div'), trials = h('div'), results = h('div'), charts = h('div', {class: 'charts'});
  main().replaceChildren(head, h('h3', {}, 'Trials'), trials, h('h3', {}, 'Results'), results, h('h3', {}, 'Plots'), charts);
  let shownDone = -1;
  return every(1500, async () => {
    const x = await api('/api/v1/experiments/' + id);
    const p = x.progress;
    head.replaceChildren(h('h2', {}, 'Experiment ', x.name || x.id),
        h('p', {}, 'Status: ', h('strong', {id: 'experiment-status', class: 'status-' + x.status}, x.status), x.message ? ' · ' + x.message : '',
            x.model ? [' · model ', h('a', {href: '#/models/' + x.model.id}, x.model.name)] : ''),
        h('p', {}, bar(p.percent, 'experiment progress'), ' ', h('span', {id: 'experiment-done'}, p.done + ' of ' + p.total + ' trials done'),
            ' (', p.succeeded, ' succeeded, ', p.failed, ' failed, ', p.active, ' running or queued)',
            p.remainingSeconds != null ? ' · about ' + duration(p.remainingSeconds) + ' left' : ''),
        x.skipped && x.skipped.length ? h('p', {class: 'muted'}, x.skipped.length + ' combinations skipped: ',
            x.skipped.map(s => JSON.stringify(s.settings)).join('; ')) : '',
        x.status === 'RUNNING' ? h('button', {onclick: () => post('/api/v1/experiments/' + id + '/cancel').catch(showProblem)}, 'Cancel experiment') : '');
    trials.replaceChildren(table([
      {title: '#', num: true, value: t => t.index},
      {title: 'Trial', value: t => t.label},
      {title: 'Status', value: t => h('span', {class: 'status-' + t.status}, t.status)},
      {title: 'Progress', value: t => [h('progress', {class: 'trial-progress', max: 100, value: t.percent || 0, 'data-percent': t.percent == null ? '' : t.percent,
          'aria-label': 'progress of trial ' + t.index}), ' ', t.percent == null ? '' : t.percent + '%']},
      {title: 'Job', value: t => t.jobId ? h('a', {href: '#/jobs/' + t.jobId}, t.jobId.slice(0, 8)) : (t.error || '')},
    ], x.trials));
    if (p.done !== shownDone) {  // results and plots change only when a trial ends
      shownDone = p.done;
      const r = await api('/api/v1/experiments/' + id + '/results');
      results.replaceChildren(table([
        {title: '#', num: true, value: t => t.trial},
        {title: 'Trial', value: t => t.label},
        ...r.tasks.map(task => ({title: 'retention ' + task, num: true, value: t => {
          const row = r.rows.find(x => x.trial === t.trial && x.task === task);
          return row && row.retention ? fmt.ratio(row.retention.value) : '';
        }})),
        {title: 'Average retention', num: true, value: t => fmt.ratio(t.averageRetention)},
        {title: 'Block sparsity', num: true, value: t => fmt.pct(t.blockSparsity)},
        {title: 'Non-zero', num: true, value: t => fmt.count(t.nonZero)},
        {title: 'MACs/token', num: true, value: t => fmt.count(t.macsPerToken)},
        {title: 'Size', num: true, value: t => fmt.bytes(t.sizeBytes)},
        {title: 'Wall', num: true, value: t => duration(t.wallSeconds)},
        {title: 'Pareto', value: t => t.onParetoFront ? 'yes' : ''},
      ], r.trials, 'Retention against the dense baseline; the Pareto front is against MACs per token'),
          h('p', {}, 'Download: ', h('a', {href: '#', onclick: e => { e.preventDefault(); download(id, 'csv'); }}, 'CSV'), ' · ',
              h('a', {href: '#', onclick: e => { e.preventDefault(); download(id, 'md'); }}, 'Markdown')));
      if (r.trials.length) {
        const stamp = '&v=' + p.done;
        charts.replaceChildren(
            chart('/api/v1/experiments/' + id + '/plots/retention.png?width=640' + stamp, 'Retention against sparsity, a line per method, a panel per task'),
            chart('/api/v1/experiments/' + id + '/plots/pareto.png?width=640' + stamp, 'Pareto front of average retention against MACs per token'));
      }
    }
  });
}

async function download(id, format) {
  try {
    const text = await api('/api/v1/experiments/' + id + '/results?format=' + format);
    const a = h('a', {href: URL.createObjectURL(new Blob([text])), download: 'experiment-' + id.slice(0, 8) + '.' + format});
    document.body.append(a); a.click(); a.remove();
  } catch (e) { showProblem(e); }
}

// --- routing ---------------------------------------------------------------------------------------------------

async function route() {
  stopPage();
  stopPage = () => {};
  showProblem(null);
  const [path, q] = (location.hash.slice(1) || '/jobs').split('?');
  const parts = path.split('/').filter(Boolean);
  const query = new URLSearchParams(q || '');
  document.querySelectorAll('nav a[data-section]').forEach(a =>
      a.toggleAttribute('aria-current', false) || (a.dataset.section === parts[0] && a.setAttribute('aria-current', 'page')));
  const pages = {
    jobs: () => parts[1] ? jobPage(parts[1]) : jobsPage(),
    models: () => parts[1] ? modelPage(parts[1]) : modelsPage(),
    compare: () => comparePage(query),
    experiments: () => parts[1] ? experimentPage(parts[1]) : experimentsPage(),
  };
  try {
    const stop = await (pages[parts[0]] || pages.jobs)();
    if (typeof stop === 'function') stopPage = stop;
  } catch (e) {
    showProblem(e);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const key = document.getElementById('api-key');
  key.value = localStorage.getItem(KEY) || '';
  document.getElementById('key-form').addEventListener('submit', e => {
    e.preventDefault();
    if (key.value) localStorage.setItem(KEY, key.value); else localStorage.removeItem(KEY);
    route();
  });
  window.addEventListener('hashchange', route);
  route();
});
