// The Clickstream dashboard: reads dashboard/data every second and draws what it answers, with plain DOM, canvas and
// SVG. No library and no address beyond this API (the page's content security policy enforces that). Event fields are
// written as text only, never as markup: a page path is whatever a client sent.
(() => {
  'use strict';

  const DATA = 'dashboard/data';
  const KEY_HEADER = 'X-Api-Key';
  const KEY_STORE = 'clickstream.dashboard.key';
  const INTERVAL_MS = 1000;
  const TIMEOUT_MS = 5000;
  const ELSEWHERE = 'The consumers run in another process (the worker): this API cannot see their figures. '
    + 'The worker\'s /metrics, or Prometheus and Grafana, have them.';

  const $ = (id) => document.getElementById(id);
  const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const tenths = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  let key = readKey();

  // --- formatting -------------------------------------------------------------------------------------------------

  function rate(value) {
    return value >= 100 ? whole.format(value) : tenths.format(value);
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) {
      return '–';
    }
    if (seconds < 0.01) {
      return `${(seconds * 1000).toFixed(2)} ms`;
    }
    return seconds < 1 ? `${whole.format(seconds * 1000)} ms` : `${seconds.toFixed(2)} s`;
  }

  function clock(instant) {
    const date = new Date(instant);
    const pad = (n, width) => String(n).padStart(width, '0');
    return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
  }

  function sum(values) {
    return Object.values(values || {}).reduce((total, value) => total + value, 0);
  }

  // --- the key ----------------------------------------------------------------------------------------------------

  // Kept in this tab's session storage, never in an address: a reload keeps it, closing the tab forgets it.
  function readKey() {
    try {
      return sessionStorage.getItem(KEY_STORE) || '';
    } catch {
      return '';
    }
  }

  function keepKey(value) {
    key = value;
    try {
      if (value) {
        sessionStorage.setItem(KEY_STORE, value);
      } else {
        sessionStorage.removeItem(KEY_STORE);
      }
    } catch {
      // Storage refused (a private window, say): the key lives in this page only.
    }
  }

  function askForKey(message) {
    keepKey('');
    $('panels').hidden = true;
    $('key-form').hidden = false;
    $('key-message').textContent = message;
    setStatus('down', 'An API key is required.');
    $('api-key').focus();
  }

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    keepKey($('api-key').value.trim());
    $('api-key').value = '';
    $('key-form').hidden = true;
    setStatus('', 'Connecting…');
    poll();
  });

  // --- polling ----------------------------------------------------------------------------------------------------

  function setStatus(state, text) {
    const status = $('status');
    status.className = `status ${state}`;
    status.textContent = text;
  }

  // One request at a time: the next is scheduled once this one ended, so a slow answer never piles requests up.
  async function poll() {
    const controller = new AbortController();
    const abort = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const headers = { Accept: 'application/json' };
      if (key) {
        headers[KEY_HEADER] = key;
      }
      const response = await fetch(DATA, { headers, cache: 'no-store', credentials: 'same-origin', signal: controller.signal });
      if (response.status === 401) {
        // Asking again every second would only repeat the refusal: wait for a key.
        askForKey(key
          ? 'The API refused this key (401 Unauthorized). Enter a valid API key.'
          : 'This API requires an API key: the dashboard data answered 401 Unauthorized without one.');
        return;
      }
      if (response.status === 403) {
        askForKey('The API refused this key for the dashboard (403 Forbidden): a publishable key may only send events. Enter a server key.');
        return;
      }
      if (!response.ok) {
        throw new Error(`the dashboard data answered ${response.status}`);
      }
      render(await response.json());
      setStatus('live', `Live · updated ${clock(Date.now())}`);
    } catch (error) {
      const why = error.name === 'AbortError' ? 'no answer within 5 s' : error.message;
      setStatus('down', `Cannot read the dashboard data (${why}); trying again every second.`);
    } finally {
      clearTimeout(abort);
    }
    setTimeout(poll, INTERVAL_MS);
  }

  // --- rendering --------------------------------------------------------------------------------------------------

  function render(data) {
    $('key-form').hidden = true;
    $('panels').hidden = false;
    for (const span of document.querySelectorAll('.window')) {
      span.textContent = data.window_seconds;
    }
    renderIngest(data.ingest);
    renderConsumers(data.consumers_in_process ? data.consumers : null);
    renderRecent(data.recent_events);
    renderPartitions(data.partitions);
  }

  function renderIngest(ingest) {
    $('ingest-rate').textContent = rate(ingest.accepted_per_second);
    $('ingest-total').textContent = whole.format(ingest.accepted_total);
    $('refused-rate').textContent = rate(sum(ingest.refused_per_second));
    fillReasons($('refused-reasons'), ingest.refused_total, (reason, total) =>
      `${whole.format(total)} (${rate((ingest.refused_per_second || {})[reason] || 0)}/s)`);
    drawBars($('ingest-chart'), ingest.accepted_series, ingest.refused_series, '--accepted');
  }

  function renderConsumers(consumers) {
    const panels = $('panels');
    if (!consumers) {
      // Zeros here would read as facts about consumers this process cannot see.
      panels.classList.add('consumers-elsewhere');
      for (const paragraph of document.querySelectorAll('.worker .elsewhere')) {
        paragraph.textContent = ELSEWHERE;
      }
      return;
    }
    panels.classList.remove('consumers-elsewhere');

    $('stored-rate').textContent = rate(consumers.stored_per_second);
    $('stored-total').textContent = whole.format(consumers.stored_total);
    drawBars($('stored-chart'), consumers.stored_series, null, '--stored');

    const lag = consumers.lag;
    $('lag-none').hidden = !!(lag && lag.length);
    $('lag-none').textContent = lag ? 'No partition is assigned to a consumer yet.' : 'No consumer reports lag yet (starting).';
    drawLag($('lag-chart'), lag || []);

    const batches = consumers.batch_duration;
    $('latency-p50').textContent = duration(batches.p50_seconds);
    $('latency-p99').textContent = duration(batches.p99_seconds);
    $('latency-batches').textContent = whole.format(batches.batches);

    fillReasons($('dead-letter-reasons'), consumers.dead_letters_total, (_, total) => whole.format(total));
    $('dead-letters-none').hidden = Object.keys(consumers.dead_letters_total || {}).length > 0;
    $('dead-letters-window').textContent = whole.format(consumers.dead_letters_in_window);

    const stalled = $('stalled-batches');
    stalled.textContent = consumers.stalled_batches === null ? 'not reported' : whole.format(consumers.stalled_batches);
    stalled.classList.toggle('warn', consumers.stalled_batches > 0);
    $('paused-partitions').textContent = consumers.paused_partitions === null ? 'not reported' : whole.format(consumers.paused_partitions);
    $('retries-rate').textContent = rate(consumers.retries_per_second);
  }

  function renderRecent(recent) {
    const unavailable = $('recent-unavailable');
    const table = $('recent-events');
    unavailable.hidden = recent.available;
    table.hidden = !recent.available;
    if (!recent.available) {
      unavailable.textContent = `Stored events are unavailable: ${recent.reason}`;
      return;
    }
    const body = table.tBodies[0];
    const rows = recent.events.map((e) => {
      const row = document.createElement('tr');
      row.dataset.eventId = e.event_id;
      for (const [text, className] of [[clock(e.stored_at), 'stored-at'], [e.event_id, 'event-id'], [String(e.user_id), 'user-id'],
        [e.event_type, 'event-type'], [e.page, 'page']]) {
        const cell = document.createElement('td');
        cell.className = className;
        cell.textContent = text;
        row.appendChild(cell);
      }
      return row;
    });
    if (rows.length === 0) {
      const row = document.createElement('tr');
      const cell = document.createElement('td');
      cell.colSpan = 5;
      cell.className = 'detail';
      cell.textContent = 'No event is stored yet.';
      row.appendChild(cell);
      rows.push(row);
    }
    body.replaceChildren(...rows);
  }

  // A partition's bound as its UTC day (and time, when it is not midnight): partitions are made per day by default.
  function bound(instant) {
    const text = new Date(instant).toISOString();
    return text.endsWith('T00:00:00.000Z') ? text.slice(0, 10) : `${text.slice(0, 16).replace('T', ' ')} UTC`;
  }

  function renderPartitions(partitions) {
    const unavailable = $('partitions-unavailable');
    unavailable.hidden = partitions.available;
    $('partitions-figures').hidden = !partitions.available;
    if (!partitions.available) {
      unavailable.textContent = `Partitions are unavailable: ${partitions.reason}`;
      return;
    }
    $('partitions-count').textContent = whole.format(partitions.count);
    $('partitions-range').textContent = partitions.count === 0
      ? 'no time yet'
      : `${partitions.from ? bound(partitions.from) : 'everything before'} to ${bound(partitions.to)}`;
    const waiting = $('partitions-waiting');
    waiting.textContent = partitions.waiting_in_default >= partitions.waiting_counted_up_to
      ? `${whole.format(partitions.waiting_counted_up_to)} or more`
      : whole.format(partitions.waiting_in_default);
    waiting.classList.toggle('warn', partitions.waiting_in_default > 0);
  }

  function fillReasons(list, totals, describe) {
    const items = Object.entries(totals || {}).sort((a, b) => b[1] - a[1]).map(([reason, total]) => {
      const item = document.createElement('li');
      item.dataset.reason = reason;
      const name = document.createElement('span');
      name.textContent = reason;
      const value = document.createElement('span');
      value.textContent = describe(reason, total);
      item.append(name, value);
      return item;
    });
    list.replaceChildren(...items);
  }

  // --- charts -----------------------------------------------------------------------------------------------------

  function color(variable) {
    return getComputedStyle(document.documentElement).getPropertyValue(variable).trim();
  }

  // Bars of counts per second, oldest on the left; a second series (refusals) stacks on top in red.
  function drawBars(canvas, series, stacked, variable) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const context = canvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    const top = 14;
    const totals = series.map((value, i) => value + (stacked ? stacked[i] : 0));
    const max = Math.max(1, ...totals);
    const step = width / series.length;
    const bar = Math.max(1, step - 1);
    const scale = (value) => (value / max) * (height - top);

    context.fillStyle = color('--line');
    context.fillRect(0, height - 1, width, 1);
    series.forEach((value, i) => {
      const own = scale(value);
      context.fillStyle = color(variable);
      context.fillRect(i * step, height - own, bar, own);
      if (stacked && stacked[i] > 0) {
        const refused = scale(stacked[i]);
        context.fillStyle = color('--refused');
        context.fillRect(i * step, height - own - refused, bar, refused);
      }
    });
    context.fillStyle = color('--muted');
    context.font = '11px system-ui, sans-serif';
    context.textAlign = 'left';
    context.fillText(`${whole.format(max)}/s`, 2, 10);
    context.textAlign = 'right';
    context.fillText(`last ${series.length} s`, width - 2, 10);
  }

  // One row per partition: the dark bar is how far the committed offset is behind the end, the light one how far
  // the consumer's position is (what it has read but not yet stored shows as the difference).
  function drawLag(svg, lag) {
    const ns = 'http://www.w3.org/2000/svg';
    const rowHeight = 22;
    const labelWidth = 120;
    const valueWidth = 130;
    const width = Math.max(svg.clientWidth, labelWidth + valueWidth + 60);
    const height = Math.max(lag.length * rowHeight, 1);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('height', String(height));
    const max = Math.max(1, ...lag.map((l) => Math.max(l.committed || 0, l.position || 0)));
    const room = width - labelWidth - valueWidth;
    const element = (name, attributes, text) => {
      const node = document.createElementNS(ns, name);
      for (const [attribute, value] of Object.entries(attributes)) {
        node.setAttribute(attribute, String(value));
      }
      if (text !== undefined) {
        node.textContent = text;
      }
      return node;
    };
    const rows = lag.map((l, i) => {
      const y = i * rowHeight;
      const group = element('g', { 'data-partition': l.partition });
      group.append(
        element('text', { x: 0, y: y + 15 }, `${l.topic} [${l.partition}]`),
        element('rect', { class: 'committed', x: labelWidth, y: y + 4, height: 14, width: room * ((l.committed || 0) / max) }),
        element('rect', { class: 'position', x: labelWidth, y: y + 8, height: 6, width: room * ((l.position || 0) / max) }),
        element('text', { class: 'value', x: width, y: y + 15, 'text-anchor': 'end' },
          `${l.committed === null ? '–' : whole.format(l.committed)} · ${l.position === null ? '–' : whole.format(l.position)}`));
      return group;
    });
    svg.replaceChildren(...rows);
  }

  poll();
})();
