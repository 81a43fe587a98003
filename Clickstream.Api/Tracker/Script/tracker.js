// Clickstream's browser tracker, served by the API at /tracker.js. Plain JavaScript, no dependencies, no build step:
// edit this file and the API serves the change. How to use it and what it sends: Clickstream.Api/README.md, "The tracker".
//
//   <script src="https://clicks.example/tracker.js"></script>
//   <script>clickstream.init({ endpoint: 'https://clicks.example', key: 'pk_...', userId: 42 });</script>
(function () {
  'use strict';

  if (window.clickstream) {
    return; // included twice: the first copy owns the queue
  }

  // What the API accepts (Clickstream.Api/Ingestion/ClickEventValidator.cs, Configuration/IngestionLimits.cs defaults).
  const EVENT_TYPE = /^[a-z0-9_.:-]{1,64}$/;
  const MAX_URL_LENGTH = 2048;
  const MAX_EVENT_BYTES = 32 * 1024;
  // 20 events or one second, whichever comes first. 60,000 bytes per request stays under the 64 KiB a browser lets
  // sendBeacon and keepalive fetches have in flight, and far under the API's 1 MiB batch limit.
  const MAX_BATCH_EVENTS = 20;
  const MAX_REQUEST_BYTES = 60000;
  const FLUSH_INTERVAL_MS = 1000;
  const FIRST_BACKOFF_MS = 1000;
  const MAX_BACKOFF_MS = 60000;
  const SESSION_TIMEOUT_MS = 30 * 60 * 1000;
  // What one browser keeps while the API cannot be reached; past it the oldest events go (localStorage holds ~5 MB).
  const MAX_QUEUED_EVENTS = 1000;
  // A queue of another page whose page has not saved for this long belongs to a page that is gone (crashed, killed).
  const ORPHAN_AFTER_MS = 2 * 60 * 1000;

  const STORE = 'clickstream:';
  const QUEUE_PREFIX = STORE + 'queue:';
  const encoder = new TextEncoder();

  let config = null;
  let userId = null;
  let currentUrl = null; // the page view's address without its #fragment: a navigation changes it, a replaceState may not
  let currentHref = null; // the page view's origin and path: the referrer of the next view in a single-page app
  let currentReferrer;
  const queue = []; // { event, text, bytes } in the order tracked; each kept until a 202 accepted it
  const beaconed = new Set(); // event ids handed to sendBeacon while the page is hidden: not sent again until it is visible
  let sending = false;
  let timer = null;
  let failures = 0;
  let retryAt = 0;
  let maxBatchEvents = MAX_BATCH_EVENTS;
  let warnedAboutKey = false;
  const pageQueueKey = QUEUE_PREFIX + uuid7();

  // --- storage: localStorage when the browser allows it, this page's memory otherwise -------------------------------

  function read(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null; // storage disabled (some private windows): events live as long as the page
    }
  }

  function write(key, value) {
    try {
      if (value === null) {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, value);
      }
    } catch (e) {
      // Quota or storage disabled: the events are still in memory and still sent.
    }
  }

  function readJson(key) {
    try {
      return JSON.parse(read(key));
    } catch (e) {
      return null;
    }
  }

  // Each page keeps its queue under a key of its own: two tabs writing one shared key would overwrite each other's events.
  // A hidden page may never run again (closed, discarded: pagehide does not always come), so its queue is marked as one
  // the next page may take over; should it come back, both send the events, and the store keeps each once.
  function saveQueue(leaving) {
    if (queue.length === 0) {
      write(pageQueueKey, null);
      return;
    }
    const closed = !!leaving || document.visibilityState === 'hidden';
    write(pageQueueKey, JSON.stringify({ saved: Date.now(), closed, events: queue.map((q) => q.event) }));
  }

  // Events a previous page left (its last beacon may or may not have arrived) are sent again: the store keeps one row
  // per event id, so a copy that did arrive costs nothing.
  function adoptOrphanedQueues() {
    const keys = [];
    try {
      for (let i = 0; i < window.localStorage.length; i++) {
        const key = window.localStorage.key(i);
        if (key && key.startsWith(QUEUE_PREFIX) && key !== pageQueueKey) {
          keys.push(key);
        }
      }
    } catch (e) {
      return;
    }
    const known = new Set(queue.map((q) => q.event.event_id));
    for (const key of keys) {
      const stored = readJson(key);
      const orphaned = !stored || stored.closed || !(Date.now() - stored.saved < ORPHAN_AFTER_MS);
      if (!orphaned) {
        continue; // another open tab's queue: that tab sends it
      }
      for (const event of (stored && Array.isArray(stored.events) ? stored.events : [])) {
        const adopted = event && typeof event.event_id === 'string' && !known.has(event.event_id) ? entryOrNull(event) : null;
        if (adopted) {
          known.add(event.event_id);
          queue.push(adopted);
        }
      }
      write(key, null);
    }
    trimQueue();
  }

  // --- identifiers ----------------------------------------------------------------------------------------------------

  // RFC 9562 UUIDv7: 48 bits of Unix milliseconds, version 7, 74 random bits, variant 10. crypto.getRandomValues works
  // on plain http pages too, where crypto.randomUUID does not exist.
  function uuid7(now) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    let ms = now === undefined ? Date.now() : now;
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // The contract needs a numeric user id: until the page names its user, a random one in 1 .. 2^53 - 1 (what a
  // JavaScript number holds exactly), kept in localStorage so one browser stays one user.
  function anonymousUserId() {
    const stored = Number(read(STORE + 'anonymous_user_id'));
    if (isUserId(stored)) {
      return stored;
    }
    const words = new Uint32Array(2);
    let id = 0;
    while (id === 0) {
      crypto.getRandomValues(words);
      id = (words[0] & 0x1fffff) * 0x100000000 + words[1];
    }
    write(STORE + 'anonymous_user_id', String(id));
    return id;
  }

  function isUserId(value) {
    return Number.isSafeInteger(value) && value > 0;
  }

  function toUserId(value) {
    const id = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
    if (isUserId(id)) {
      return id;
    }
    console.warn('clickstream: a user id must be a positive integer up to Number.MAX_SAFE_INTEGER; using the anonymous id.', value);
    return null;
  }

  // One session per browser (shared by its tabs) until 30 minutes pass without an event.
  function sessionId(now) {
    const stored = readJson(STORE + 'session');
    const session = stored && typeof stored.id === 'string' && now - stored.last < SESSION_TIMEOUT_MS
      ? stored
      : { id: uuid7() };
    session.last = now;
    write(STORE + 'session', JSON.stringify(session));
    return session.id;
  }

  // --- events -----------------------------------------------------------------------------------------------------------

  function httpUrl(value) {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) {
      return undefined;
    }
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? value : undefined;
    } catch (e) {
      return undefined;
    }
  }

  function entry(event) {
    const text = JSON.stringify(event);
    return { event, text, bytes: encoder.encode(text).length };
  }

  function entryOrNull(event) {
    try {
      return entry(event);
    } catch (e) {
      return null; // a cycle or a BigInt in the properties: not JSON
    }
  }

  function track(type, properties) {
    if (!config) {
      console.warn('clickstream: call clickstream.init({ endpoint }) before tracking.');
      return null;
    }
    if (typeof type !== 'string' || !EVENT_TYPE.test(type)) {
      console.warn('clickstream: an event type is 1 to 64 of a-z 0-9 _ . : - ; not tracked:', type);
      return null;
    }
    if (properties !== undefined && properties !== null && (typeof properties !== 'object' || Array.isArray(properties))) {
      console.warn('clickstream: properties must be an object; not tracked:', properties);
      return null;
    }
    const now = Date.now();
    const event = {
      event_id: uuid7(now), // the same milliseconds as event_time: ids sort as the events happened
      user_id: userId !== null ? userId : anonymousUserId(),
      event_type: type,
      // The path only: a query string often carries what should not be stored (tokens, e-mail addresses).
      page: location.pathname.slice(0, MAX_URL_LENGTH) || '/',
      event_time: new Date(now).toISOString(),
      session_id: sessionId(now),
    };
    if (currentReferrer) {
      event.referrer = currentReferrer;
    }
    if (properties && Object.keys(properties).length > 0) {
      event.properties = properties;
    }
    const queued = entryOrNull(event);
    if (!queued || queued.bytes > MAX_EVENT_BYTES) {
      console.warn(`clickstream: an event is at most ${MAX_EVENT_BYTES} bytes of JSON, and JSON; not tracked:`, type);
      return null;
    }
    queue.push(queued);
    trimQueue();
    saveQueue();
    schedule();
    return event.event_id;
  }

  function trimQueue() {
    if (queue.length > MAX_QUEUED_EVENTS) {
      const dropped = queue.splice(0, queue.length - MAX_QUEUED_EVENTS);
      console.warn(`clickstream: ${dropped.length} old events dropped: more than ${MAX_QUEUED_EVENTS} waited for the API.`);
    }
  }

  // A page view: at init, and on every history navigation that changes the path or the query (single-page apps).
  // Its referrer is document.referrer for the first view, the previous address for the views that follow; the events of
  // a view carry its referrer.
  function pageView() {
    const url = location.origin + location.pathname + location.search;
    if (url === currentUrl) {
      return; // replaceState of the state only, or a change of the #fragment
    }
    currentReferrer = httpUrl(currentHref === null ? document.referrer : currentHref);
    currentUrl = url;
    currentHref = location.origin + location.pathname; // without the query, left out of page too
    track('page_view');
  }

  function watchNavigation() {
    for (const name of ['pushState', 'replaceState']) {
      const original = history[name];
      history[name] = function () {
        const result = original.apply(this, arguments);
        pageView();
        return result;
      };
    }
    window.addEventListener('popstate', pageView);
    // Clicks on an element with data-track="<event_type>", or inside one; its data-track-* attributes are the
    // properties (data-track-product="42" gives { "product": "42" }). Captured, so a handler stopping the click's
    // propagation does not hide it.
    document.addEventListener('click', (e) => {
      const element = e.target instanceof Element ? e.target.closest('[data-track]') : null;
      if (!element) {
        return;
      }
      const properties = {};
      for (const [name, value] of Object.entries(element.dataset)) {
        if (/^track[A-Z]/.test(name)) { // data-track-x, not data-tracker
          properties[name.charAt(5).toLowerCase() + name.slice(6)] = value;
        }
      }
      track(element.getAttribute('data-track'), properties);
    }, true);
    // Leaving, or hidden (a tab switch, the phone locked: maybe never visible again): what is queued goes by beacon.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        beacon();
      } else {
        beaconed.clear(); // back: send by fetch what may or may not have arrived by beacon (the store dedupes)
        saveQueue(); // and no longer a queue another page may take over
        schedule();
      }
    });
    window.addEventListener('pagehide', () => {
      beacon();
      saveQueue(true); // gone, unless restored from the back-forward cache: the next page may adopt this queue
    });
    window.addEventListener('pageshow', (e) => {
      if (e.persisted) {
        beaconed.clear();
        saveQueue();
        schedule();
      }
    });
  }

  // --- sending -------------------------------------------------------------------------------------------------------------

  function emit(name, detail) {
    window.dispatchEvent(new CustomEvent('clickstream:' + name, { detail }));
  }

  function unsent() {
    return queue.filter((q) => !beaconed.has(q.event.event_id));
  }

  // The next events to send: at most maxBatchEvents and MAX_REQUEST_BYTES, at least one.
  function nextBatch(candidates, maxEvents) {
    const batch = [];
    let bytes = 2;
    for (const q of candidates) {
      if (batch.length === maxEvents || (batch.length > 0 && bytes + q.bytes + 1 > MAX_REQUEST_BYTES)) {
        break;
      }
      batch.push(q);
      bytes += q.bytes + 1;
    }
    return batch;
  }

  function body(batch) {
    return '[' + batch.map((q) => q.text).join(',') + ']';
  }

  function batchUrl(withKey) {
    const url = config.endpoint + '/events/batch';
    return withKey && config.key ? url + '?key=' + encodeURIComponent(config.key) : url;
  }

  function schedule() {
    if (!config || sending) {
      return;
    }
    const waiting = unsent().length;
    if (waiting === 0) {
      return;
    }
    const now = Date.now();
    const due = now < retryAt ? retryAt - now : waiting >= MAX_BATCH_EVENTS ? 0 : FLUSH_INTERVAL_MS;
    if (timer !== null) {
      if (due > 0) {
        return; // already due within the interval, or after the backoff
      }
      clearTimeout(timer);
    }
    timer = setTimeout(() => {
      timer = null;
      send();
    }, due);
  }

  async function send() {
    const batch = nextBatch(unsent(), maxBatchEvents);
    if (sending || batch.length === 0) {
      return;
    }
    sending = true;
    saveQueue(); // also tells other tabs this page is alive and sends its own queue
    const ids = batch.map((q) => q.event.event_id);
    const headers = { 'Content-Type': 'application/json' };
    if (config.key) {
      headers['X-Api-Key'] = config.key;
    }
    emit('request', { transport: 'fetch', url: batchUrl(false), events: batch.map((q) => q.event) });
    let response = null;
    let problem = null;
    try {
      // keepalive: a batch sent as the page goes still arrives.
      response = await fetch(batchUrl(false), { method: 'POST', headers, body: body(batch), keepalive: true, credentials: 'omit' });
      problem = response.status === 202 ? null : await response.json().catch(() => null);
    } catch (e) {
      // Unreachable, or the browser refused the answer (an origin the API does not allow): wait and send again.
      problem = { title: String(e && e.message ? e.message : e) };
    }
    sending = false;
    answered(batch, ids, response, problem);
    schedule();
  }

  function answered(batch, ids, response, problem) {
    const status = response ? response.status : 0;
    let wait = 0;
    if (status === 202) {
      remove(new Set(ids));
      failures = 0;
      retryAt = 0;
      maxBatchEvents = MAX_BATCH_EVENTS;
    } else if (status === 400) {
      // Never sent again: it would be refused again. Only the events the problem names are dropped when it names them
      // ("[3].user_id"); the batch was refused whole, so the others are sent again in the next batch.
      const invalid = invalidIndexes(problem, batch.length);
      console.warn(`clickstream: the API refused ${invalid.size} of ${batch.length} events (400); they are dropped.`, problem);
      remove(new Set(ids.filter((_, i) => invalid.has(i))));
      failures = 0;
      retryAt = 0;
    } else if (status === 413 && batch.length > 1) {
      maxBatchEvents = Math.max(1, Math.floor(batch.length / 2)); // smaller batches for the API's smaller limit
    } else if (status === 413) {
      console.warn('clickstream: the API refused an event as too large (413); it is dropped.', problem);
      remove(new Set(ids));
    } else {
      // 429, 503, a network failure, and whatever else the API may get over (401 and 403 too: a key or an origin is
      // being configured): the same events with the same ids later. Retry-After when the API gives it, else doubling.
      if ((status === 401 || status === 403) && !warnedAboutKey) {
        warnedAboutKey = true;
        console.warn(`clickstream: the API refused the key or this page's origin (${status}); the events are kept and sent again.`, problem);
      }
      failures++;
      const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1));
      const retryAfter = response ? retryAfterMs(response.headers.get('Retry-After')) : null;
      // Jitter only adds: every browser told "1 s" must not come back in the same millisecond, nor before it.
      wait = retryAfter !== null ? retryAfter + Math.random() * Math.min(1000, retryAfter * 0.2) : backoff * (0.5 + Math.random() / 2);
      retryAt = Date.now() + wait;
    }
    emit('response', { transport: 'fetch', status, problem, events: ids, retryIn: wait > 0 ? Math.round(wait) : null });
  }

  function invalidIndexes(problem, count) {
    const keys = problem && problem.errors ? Object.keys(problem.errors) : [];
    const indexes = new Set();
    for (const key of keys) {
      const match = /^\[(\d+)\]/.exec(key);
      if (!match || Number(match[1]) >= count) {
        return new Set(Array.from({ length: count }, (_, i) => i)); // the body as a whole: none can be told apart
      }
      indexes.add(Number(match[1]));
    }
    return indexes.size > 0 ? indexes : new Set(Array.from({ length: count }, (_, i) => i));
  }

  // Seconds, or an HTTP date.
  function retryAfterMs(value) {
    if (value === null || value === '') {
      return null;
    }
    if (/^\d+$/.test(value.trim())) {
      return Number(value.trim()) * 1000;
    }
    const date = Date.parse(value);
    return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
  }

  function remove(ids) {
    for (let i = queue.length - 1; i >= 0; i--) {
      if (ids.has(queue[i].event.event_id)) {
        queue.splice(i, 1);
      }
    }
    for (const id of ids) {
      beaconed.delete(id);
    }
    saveQueue();
  }

  // sendBeacon says only whether the browser took the request, never the API's answer: the events stay queued (in
  // localStorage too), and the next page sends them again; the store's dedupe absorbs the copy that did arrive. No
  // header can be set on a beacon: the key travels as ?key= (publishable keys only), the body as text/plain, which
  // needs no preflight.
  function beacon() {
    if (!config || typeof navigator.sendBeacon !== 'function') {
      return;
    }
    let candidates = unsent();
    while (candidates.length > 0) {
      const batch = nextBatch(candidates, MAX_BATCH_EVENTS);
      const blob = new Blob([body(batch)], { type: 'text/plain;charset=UTF-8' });
      let taken = false;
      try {
        taken = navigator.sendBeacon(batchUrl(true), blob);
      } catch (e) {
        taken = false;
      }
      emit('request', { transport: 'beacon', url: batchUrl(false), events: batch.map((q) => q.event), taken });
      if (!taken) {
        break; // over the browser's in-flight quota: the rest stays queued for the next page
      }
      for (const q of batch) {
        beaconed.add(q.event.event_id);
      }
      candidates = candidates.slice(batch.length);
    }
    saveQueue();
  }

  // --- the public interface --------------------------------------------------------------------------------------------

  function init(options) {
    if (config) {
      console.warn('clickstream: init was called already; ignored.');
      return;
    }
    const endpoint = options && typeof options.endpoint === 'string' ? options.endpoint.replace(/\/+$/, '') : '';
    if (!httpUrl(endpoint)) {
      console.warn('clickstream: init needs the API\'s address, e.g. init({ endpoint: "https://clicks.example" }).', options);
      return;
    }
    config = { endpoint, key: options.key ? String(options.key) : null };
    userId = options.userId !== undefined && options.userId !== null ? toUserId(options.userId) : null;
    adoptOrphanedQueues();
    watchNavigation();
    pageView();
    schedule();
  }

  window.clickstream = Object.freeze({
    init,
    /** Names the user from now on (a positive integer up to Number.MAX_SAFE_INTEGER); null goes back to the anonymous id. */
    identify(id) {
      userId = id === null || id === undefined ? null : toUserId(id);
    },
    /** Queues an event of this type with these properties (an object); returns its event id, or null when refused. */
    track,
    /** The events waiting for a 202 (copies): for a page's diagnostics and for tests. */
    pending() {
      return queue.map((q) => JSON.parse(q.text));
    },
  });
})();
