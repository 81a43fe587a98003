// The demo page's own script: starts the tracker against this API and lists what it sends and what the API answers,
// from the events the tracker dispatches on window (clickstream:request, clickstream:response).
(function () {
  'use strict';

  const KEY_STORE = 'clickstream.demo.key';
  const $ = (id) => document.getElementById(id);
  // The page is /demo/ or /demo/<view>: the API is one level up, whatever path base is in front of it.
  const endpoint = new URL('../', location.href).href;
  const demoBase = new URL('./', location.href).pathname;

  function keyFromAddressOrTab() {
    const given = new URLSearchParams(location.search).get('key');
    try {
      if (given !== null) {
        sessionStorage.setItem(KEY_STORE, given.trim());
        history.replaceState(null, '', location.pathname); // out of the address bar before the tracker's first view
      }
      return sessionStorage.getItem(KEY_STORE) || '';
    } catch (e) {
      return given ? given.trim() : '';
    }
  }

  function log(kind, text) {
    const item = document.createElement('li');
    item.className = kind;
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString();
    item.append(time, ' ', text);
    $('log').prepend(item);
    while ($('log').children.length > 200) {
      $('log').lastElementChild.remove();
    }
    showPending();
  }

  function showPending() {
    $('pending').textContent = String(window.clickstream.pending().length);
  }

  function showView() {
    $('view').textContent = location.pathname;
  }

  window.addEventListener('clickstream:request', (e) => {
    const { transport, events, taken } = e.detail;
    const types = events.map((event) => event.event_type).join(', ');
    const suffix = transport === 'beacon' ? (taken ? ' (taken by the browser; its answer cannot be read)' : ' (refused by the browser)') : '';
    log('request', `→ ${transport} ${events.length} event${events.length === 1 ? '' : 's'}: ${types}${suffix}`);
    if (events.length > 0) {
      $('user').textContent = String(events[0].user_id);
    }
  });

  window.addEventListener('clickstream:response', (e) => {
    const { status, problem, events, retryIn } = e.detail;
    const what = status === 202 ? 'accepted'
      : status === 0 ? 'no answer (network error or refused by CORS)'
      : (problem && problem.title) || 'refused';
    const next = retryIn !== null ? `; sent again in ${(retryIn / 1000).toFixed(1)} s` : '';
    log(status === 202 ? 'accepted' : 'refused', `← ${status || '—'} ${what} (${events.length} event${events.length === 1 ? '' : 's'})${next}`);
    if (status === 400 && problem && problem.errors) {
      log('refused', JSON.stringify(problem.errors));
    }
  });

  const key = keyFromAddressOrTab();
  $('key').value = key;
  showView();
  window.clickstream.init({ endpoint, key: key || undefined });
  showPending();

  document.querySelectorAll('a[data-view]').forEach((link) => link.addEventListener('click', (e) => {
    e.preventDefault();
    history.pushState(null, '', demoBase + link.dataset.view);
    showView();
  }));
  window.addEventListener('popstate', showView);
  $('track-custom').addEventListener('click', () => window.clickstream.track('newsletter_subscribe', { plan: 'weekly' }));
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    try {
      sessionStorage.setItem(KEY_STORE, $('key').value.trim());
    } catch (err) {
      // Storage refused: the address carries the key instead.
      location.search = '?key=' + encodeURIComponent($('key').value.trim());
      return;
    }
    location.reload(); // the tracker is started once per page, with its key
  });
})();
