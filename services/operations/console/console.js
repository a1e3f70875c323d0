// Truc's operator console: signs in with the operator key (kept in this tab's sessionStorage),
// polls the operations snapshot and draws it; browses and replays dead letters. Plain DOM and
// SVG, no library; everything shown is set as text, never parsed as HTML.
'use strict';

const KEY_ITEM = 'truc-operator-key';
const POLL_MS = 2000;
const AUDIT_ROWS_SHOWN = 50;
const SVG = 'http://www.w3.org/2000/svg';
const STAGE_COLORS = { ingest: '#2457c5', normalizer: '#1b7f4b', clickhouse: '#a15c00', 'fan-out': '#7b3fb5' };

let key = sessionStorage.getItem(KEY_ITEM);
let pollTimer = null;
let dlqNextSkip = null;

const $ = (id) => document.getElementById(id);
const number = (n) => Math.round(n).toLocaleString('en-US');
const rate = (n) => (n >= 10 ? number(n) : n.toFixed(1));
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '—');

function el(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [attribute, value] of Object.entries(attributes)) node.setAttribute(attribute, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}

function svg(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [attribute, value] of Object.entries(attributes)) node.setAttribute(attribute, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function cell(value, numeric = false) {
  return el('td', numeric ? { class: 'n' } : {}, numeric ? number(value) : value);
}

class KeyRefused extends Error {}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { authorization: `Bearer ${key}`, ...(options.body ? { 'content-type': 'application/json' } : {}) },
    cache: 'no-store',
  });
  if (response.status === 401 || response.status === 403) throw new KeyRefused('this key is not an operator key');
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
  return body;
}

// --- signing in and out ----------------------------------------------------------------------

function showSignIn(message) {
  clearTimeout(pollTimer);
  pollTimer = null;
  key = null;
  sessionStorage.removeItem(KEY_ITEM);
  // Nothing of what an operator saw stays on the page once the key is gone.
  for (const body of document.querySelectorAll('#console tbody, #console ol, #console dl')) body.replaceChildren();
  for (const drawing of document.querySelectorAll('#console svg')) drawing.replaceChildren();
  $('dlq-detail').textContent = '';
  $('console').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('updated').textContent = '';
  $('sign-in-error').textContent = message ?? '';
}

async function signIn(candidate) {
  key = candidate;
  try {
    render(await api('/v1/operations/snapshot'));
  } catch (error) {
    showSignIn(error instanceof KeyRefused ? 'That key was refused: an operator key is needed.' : `Could not reach Truc: ${error.message}`);
    return;
  }
  sessionStorage.setItem(KEY_ITEM, candidate);
  $('sign-in').hidden = true;
  $('sign-in-error').textContent = '';
  $('console').hidden = false;
  $('sign-out').hidden = false;
  schedulePoll();
}

function schedulePoll() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, POLL_MS);
}

async function poll() {
  if (!key) return;
  try {
    render(await api('/v1/operations/snapshot'));
  } catch (error) {
    if (error instanceof KeyRefused) return showSignIn('The key is no longer accepted.');
    $('updated').textContent = `update failed: ${error.message}`;
  }
  if (key) schedulePoll();
}

// --- the snapshot ----------------------------------------------------------------------------

function render(snapshot) {
  $('updated').textContent = `updated ${time(snapshot.at)}`;
  drawPipeline(snapshot);
  drawStages(snapshot.stages);
  drawThroughput(snapshot.history);
  drawSink(snapshot.sink);
  drawWarnings(snapshot.warnings);
  drawAlerts(snapshot.alerts);
  drawCrashes(snapshot.crashes);
  drawPairs(snapshot.pairs);
  drawConnectors(snapshot.connectors);
  drawSubscriptions(snapshot.subscriptions);
}

function drawPipeline({ stages, edges }) {
  const drawing = $('pipeline');
  const box = { w: 170, h: 62 };
  const place = {
    ingest: { x: 20, y: 79 },
    normalizer: { x: 320, y: 79 },
    clickhouse: { x: 680, y: 15 },
    'fan-out': { x: 680, y: 143 },
  };
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#5b6575' }));
  defs.append(marker);
  const parts = [defs];
  for (const edge of edges) {
    const from = place[edge.from];
    const to = place[edge.to];
    if (!from || !to) continue;
    const x1 = from.x + box.w;
    const y1 = from.y + box.h / 2;
    const x2 = to.x - 4;
    const y2 = to.y + box.h / 2;
    const g = svg('g', { class: 'edge', 'data-edge': `${edge.from}->${edge.to}` });
    g.append(svg('path', { d: `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}` }));
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2;
    g.append(svg('text', { x: mx, y: my - 8, 'text-anchor': 'middle' }, `${rate(edge.ratePerSecond)}/s`));
    g.append(svg('text', { x: mx, y: my + 12, 'text-anchor': 'middle', class: edge.lag > 0 ? 'lagging' : '' }, `lag ${number(edge.lag)}`));
    parts.push(g);
  }
  for (const stage of stages) {
    const at = place[stage.name];
    if (!at) continue;
    const g = svg('g', { class: 'stage', 'data-stage': stage.name });
    g.append(svg('rect', { x: at.x, y: at.y, width: box.w, height: box.h, rx: 6 }));
    g.append(svg('text', { x: at.x + 10, y: at.y + 20 }, stage.name));
    g.append(svg('text', { x: at.x + 10, y: at.y + 38, class: 'rate' }, `${rate(stage.ratePerSecond)} records/s`));
    g.append(svg('text', { x: at.x + 10, y: at.y + 54 }, `${number(stage.total)} total`));
    parts.push(g);
  }
  drawing.replaceChildren(...parts);
}

function drawStages(stages) {
  $('stages').tBodies[0].replaceChildren(
    ...stages.map((stage) => {
      const row = el('tr', { 'data-stage': stage.name, 'data-rate': stage.ratePerSecond }, cell(stage.name), cell(stage.total, true));
      row.append(el('td', { class: 'n rate' }, rate(stage.ratePerSecond)));
      return row;
    }),
  );
}

function drawThroughput({ stepSeconds, samples }) {
  const drawing = $('throughput');
  const width = 900;
  const height = 200;
  const left = 50;
  const bottom = 20;
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.rates)))];
  const max = Math.max(1, ...samples.flatMap((sample) => Object.values(sample.rates)));
  const spanMs = 3600_000;
  const end = Date.now();
  const x = (iso) => left + ((width - left - 10) * (spanMs - (end - Date.parse(iso)))) / spanMs;
  const y = (value) => height - bottom - ((height - bottom - 10) * value) / max;
  const parts = [
    svg('line', { class: 'axis', x1: left, y1: height - bottom, x2: width - 10, y2: height - bottom }),
    svg('line', { class: 'axis', x1: left, y1: 10, x2: left, y2: height - bottom }),
    svg('text', { class: 'axis-label', x: left - 6, y: 16, 'text-anchor': 'end' }, rate(max)),
    svg('text', { class: 'axis-label', x: left - 6, y: height - bottom, 'text-anchor': 'end' }, '0'),
    svg('text', { class: 'axis-label', x: left, y: height - 4 }, '60 min ago'),
    svg('text', { class: 'axis-label', x: width - 10, y: height - 4, 'text-anchor': 'end' }, `now (steps of ${stepSeconds} s)`),
  ];
  for (const name of names) {
    const points = samples.filter((sample) => name in sample.rates).map((sample) => `${x(sample.at).toFixed(1)},${y(sample.rates[name]).toFixed(1)}`);
    parts.push(svg('polyline', { points: points.join(' '), fill: 'none', stroke: STAGE_COLORS[name] ?? '#333', 'stroke-width': 2, 'data-series': name }));
  }
  drawing.replaceChildren(...parts);
  $('throughput-legend').replaceChildren(
    ...names.map((name) => {
      const swatch = el('i');
      swatch.style.background = STAGE_COLORS[name] ?? '#333';
      return el('span', {}, swatch, name);
    }),
  );
}

function drawSink(sink) {
  const list = $('sink');
  if (!sink) {
    list.replaceChildren(el('dt', {}, 'state'), el('dd', {}, 'not running in this process'));
    return;
  }
  const rows = [
    ['state', sink.failing ? `FAILING: ${sink.lastError ?? ''}` : 'ok', sink.failing ? 'state-failing' : 'state-ok'],
    ['lag', number(sink.lag)],
    ['buffered', number(sink.buffered)],
    ['rows written', number(sink.rowsWritten)],
    ['last insert', time(sink.lastInsertAt)],
    ['retries', number(sink.retries)],
    ['dead letters', number(sink.deadLetters)],
  ];
  list.replaceChildren(...rows.flatMap(([term, value, className]) => [el('dt', {}, term), el('dd', className ? { class: className, 'data-sink': term } : { 'data-sink': term }, value)]));
}

function drawWarnings(warnings) {
  $('warnings').replaceChildren(
    ...(warnings.length === 0
      ? [el('li', {}, 'none')]
      : warnings.map((w) => el('li', {}, el('time', {}, time(w.at)), `${w.where}: ${w.message}${w.count > 1 ? ` (×${w.count})` : ''}`))),
  );
}

function alertItem(alert) {
  const figures = Object.entries(alert.values).map(([name, value]) => `${name} ${value}`).join(', ');
  return el(
    'li',
    { 'data-alert': alert.alert, class: alert.state === 'firing' ? `alert-${alert.severity}` : '' },
    el('time', {}, time(alert.at)),
    `${alert.severity}: ${alert.what}: ${alert.where}${figures ? ` (${figures})` : ''}${alert.state === 'firing' ? `; since ${time(alert.since)}` : ''}`,
  );
}

function drawAlerts({ firing, resolved }) {
  $('alerts-firing').replaceChildren(...(firing.length === 0 ? [el('li', {}, 'none')] : firing.map(alertItem)));
  $('alerts-resolved').replaceChildren(...(resolved.length === 0 ? [el('li', {}, 'none')] : resolved.map(alertItem)));
}

function drawCrashes(crashes) {
  $('crashes').tBodies[0].replaceChildren(
    ...(crashes.length === 0
      ? [el('tr', {}, el('td', { colspan: 5 }, 'none since start'))]
      : crashes.map((c) =>
          el(
            'tr',
            { 'data-crash': c.stage },
            cell(time(c.at)), cell(c.stage), cell(`${c.errorClass}: ${c.message}`), cell(c.restarts, true),
            el('td', { class: c.restarting ? 'state-ok' : 'state-failing' }, c.restarting ? 'restarting' : 'STOPPED'),
          ),
        )),
  );
}

function drawPairs(pairs) {
  $('pairs').tBodies[0].replaceChildren(
    ...pairs.map((pair) => {
      const dead = Object.entries(pair.deadLetters).map(([errorClass, n]) => `${errorClass} ${number(n)}`).join(', ');
      return el('tr', { 'data-pair': `${pair.source}/${pair.kind}` }, cell(pair.source), cell(pair.kind), cell(pair.in, true), cell(pair.out, true), cell(pair.duplicates, true), cell(dead || '—'));
    }),
  );
}

function drawConnectors(connectors) {
  $('connectors').tBodies[0].replaceChildren(
    ...connectors.map((c) => {
      const actions = el('td');
      for (const action of ['pause', 'resume', 'restart']) {
        const button = el('button', { type: 'button', 'data-action': action, 'data-connector': c.name }, action);
        button.addEventListener('click', () => connectorAction(c.name, action));
        actions.append(button);
      }
      return el(
        'tr',
        { 'data-connector': c.name, 'data-state': c.state },
        cell(c.name), cell(c.type), el('td', { class: `state-${c.state}` }, c.state), cell(c.records, true), cell(c.rejected, true), cell(c.errors, true),
        cell(c.lastError ? `${time(c.lastError.at)} ${c.lastError.message}` : '—'), actions,
      );
    }),
  );
}

async function connectorAction(name, action) {
  try {
    await api(`/v1/connectors/${encodeURIComponent(name)}/${action}`, { method: 'POST' });
    poll();
  } catch (error) {
    if (error instanceof KeyRefused) showSignIn('The key is no longer accepted.');
    else $('updated').textContent = `${action} ${name} failed: ${error.message}`;
  }
}

function drawSubscriptions(subscriptions) {
  $('subscriptions').tBodies[0].replaceChildren(
    ...subscriptions.map((s) =>
      el(
        'tr',
        { 'data-subscription': s.id },
        cell(s.id), cell(s.agency), cell(s.delivery), el('td', { class: `state-${s.state === 'paused' ? 'paused' : s.deliveryState}` }, s.state === 'paused' ? 'paused' : s.deliveryState),
        cell(s.delivered, true), cell(s.lag, true), cell(time(s.lastSuccessAt)), cell(s.lastError ? `${time(s.lastError.at)} ${s.lastError.message}` : '—'),
        cell(s.retries, true), cell(s.deadLetters, true),
      ),
    ),
  );
}

// --- dead letters ----------------------------------------------------------------------------

function dlqFilters() {
  const form = new FormData($('dlq-filters'));
  const filters = {};
  for (const [name, value] of form) {
    if (!value) continue;
    filters[name] = name === 'from' || name === 'to' ? new Date(value).toISOString() : value;
  }
  return filters;
}

async function listDeadLetters(skip) {
  const filters = dlqFilters();
  $('dlq-message').textContent = 'reading…';
  try {
    const page = await api(`/v1/operations/dead-letters?${new URLSearchParams({ ...filters, skip: String(skip) })}`);
    const rows = page.deadLetters.map((d) => {
      const show = el('button', { type: 'button', 'data-show': `${d.partition}:${d.offset}` }, 'show');
      show.addEventListener('click', () => showDeadLetter(page.stage, `${d.partition}:${d.offset}`));
      return el(
        'tr',
        { 'data-dead-letter': `${d.partition}:${d.offset}`, 'data-event-id': d.eventId ?? '' },
        cell(`${d.partition}:${d.offset}`), cell(time(d.at)), cell(d.eventId ?? ''), cell(d.source ?? ''), cell(d.kind ?? ''), cell(d.errorClass ?? ''), cell(d.origin), cell(d.reason ?? ''), el('td', {}, show),
      );
    });
    const body = $('dead-letters').tBodies[0];
    if (skip === 0) body.replaceChildren(...rows);
    else body.append(...rows);
    dlqNextSkip = page.nextSkip;
    $('dlq-more').hidden = page.nextSkip === null;
    $('dlq-message').textContent = `${number(page.total)} dead letter(s) in ${page.topic}${page.replayable ? '' : ' (not replayable)'}`;
  } catch (error) {
    if (error instanceof KeyRefused) return showSignIn('The key is no longer accepted.');
    $('dlq-message').textContent = `could not list: ${error.message}`;
  }
}

async function showDeadLetter(stage, position) {
  try {
    const letter = await api(`/v1/operations/dead-letters/${encodeURIComponent(stage)}/${position}`);
    $('dlq-detail').textContent = JSON.stringify(letter, null, 2);
    $('dlq-detail').hidden = false;
  } catch (error) {
    if (error instanceof KeyRefused) return showSignIn('The key is no longer accepted.');
    $('dlq-message').textContent = `could not show ${position}: ${error.message}`;
  }
}

async function replay(dryRun) {
  const filters = dlqFilters();
  if (!dryRun && !confirm('Write the matching dead letters back to their raw topics?')) return;
  $('dlq-message').textContent = dryRun ? 'planning…' : 'replaying…';
  try {
    const result = await api('/v1/operations/dead-letters/replay', { method: 'POST', body: JSON.stringify({ ...filters, dryRun }) });
    const where = result.topics.map((t) => `${number(t.count)} to ${t.topic}`).join(', ') || 'nothing';
    $('dlq-message').textContent = `${dryRun ? 'would replay' : 'replayed'} ${number(result.replayed)}: ${where}${result.skipped ? `; ${result.skipped} left out (no raw topic)` : ''}`;
    $('dlq-message').dataset.replayed = String(result.replayed);
    $('dlq-message').dataset.dryRun = String(dryRun);
  } catch (error) {
    if (error instanceof KeyRefused) return showSignIn('The key is no longer accepted.');
    $('dlq-message').textContent = `replay refused: ${error.message}`;
  }
}

// --- disclosure audit ------------------------------------------------------------------------

async function askAudit(path, options, question) {
  $('audit-message').textContent = 'asking…';
  try {
    const answer = await api(path, options);
    // The newest first, and a page's worth: the count says how many there are in all.
    const shown = answer.deliveries.slice(-AUDIT_ROWS_SHOWN).reverse();
    $('audit-deliveries').tBodies[0].replaceChildren(...shown.map((d) =>
      el('tr', { 'data-event-id': d.eventId, 'data-channel': d.channel }, cell(new Date(d.at).toLocaleString()), cell(d.agency), cell(d.channel), cell(d.tier), cell(d.kind), cell(d.eventId), cell(d.subscription))));
    const more = answer.count > shown.length ? `, the latest ${shown.length} shown` : '';
    $('audit-message').textContent = `${question}: ${number(answer.count)} deliver${answer.count === 1 ? 'y' : 'ies'}${more}${answer.truncated ? ' (more matched: narrow the question)' : ''}`;
    $('audit-message').dataset.count = String(answer.count);
  } catch (error) {
    if (error instanceof KeyRefused) return showSignIn('The key is no longer accepted.');
    $('audit-message').textContent = `the audit did not answer: ${error.message}`;
  }
}

// --- wiring ----------------------------------------------------------------------------------

$('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const candidate = $('key').value.trim();
  $('key').value = '';
  signIn(candidate);
});
$('sign-out').addEventListener('click', () => showSignIn());
$('dlq-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  listDeadLetters(0);
});
$('audit-person').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  // The number goes in the body (never in a URL) and leaves the page once sent.
  const body = JSON.stringify({ documentType: form.get('documentType'), number: form.get('number') });
  event.target.elements.number.value = '';
  askAudit('/v1/audit/person', { method: 'POST', body }, `person (${form.get('documentType')})`);
});
$('audit-agency').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const agency = String(form.get('agency'));
  askAudit(`/v1/audit/agency/${encodeURIComponent(agency)}?${new URLSearchParams({ from: String(form.get('from')), to: String(form.get('to')) })}`, {}, `agency ${agency}`);
});
$('dlq-more').addEventListener('click', () => dlqNextSkip !== null && listDeadLetters(dlqNextSkip));
$('dlq-dry-run').addEventListener('click', () => replay(true));
$('dlq-replay').addEventListener('click', () => replay(false));

if (key) signIn(key);
else showSignIn();
