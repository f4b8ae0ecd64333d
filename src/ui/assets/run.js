// accrete ui, the run page.
// - A model call opened (a details.call) loads its messages and response from /calls/ID: a root
//   call carries the whole conversation so far, so the page does not hold them until asked.
// - A run in progress updates live: while the page says data-live="1", poll the run tree's
//   progress; when it changes, fetch the page again and swap it in, keeping what the reader opened
//   (details elements, by id) and the scroll position.
(function () {
  async function load(details) {
    const box = details.querySelector(':scope > .messages[data-src]');
    if (!box || box.dataset.loaded) return;
    box.dataset.loaded = 'loading';
    try {
      const res = await fetch(box.dataset.src, { headers: { accept: 'text/html' } });
      box.innerHTML = await res.text();
      box.dataset.loaded = res.ok ? 'yes' : 'failed';
    } catch (err) {
      box.textContent = `could not load this call: ${err}`;
      box.dataset.loaded = 'failed';
    }
  }
  const loadOpen = (root) => root.querySelectorAll('details.call[open]').forEach(load);
  // toggle does not bubble: listen in the capture phase
  document.addEventListener('toggle', (e) => {
    if (e.target instanceof HTMLDetailsElement && e.target.open && e.target.classList.contains('call')) load(e.target);
  }, true);
  loadOpen(document);

  const root = document.querySelector('.run-page');
  if (!root || root.dataset.live !== '1') return;
  const id = root.dataset.runId;
  let last = root.dataset.progress;
  const INTERVAL_MS = 1500;

  async function refresh() {
    const res = await fetch(location.pathname, { headers: { accept: 'text/html' } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const next = doc.querySelector('.run-page');
    const current = document.querySelector('.run-page');
    if (!next || !current) return;
    const open = new Set([...current.querySelectorAll('details[id]')].filter((d) => d.open).map((d) => d.id));
    const closed = new Set([...current.querySelectorAll('details[id]')].filter((d) => !d.open).map((d) => d.id));
    for (const d of next.querySelectorAll('details[id]')) {
      if (open.has(d.id)) d.open = true;
      else if (closed.has(d.id)) d.open = false;
    }
    const y = window.scrollY;
    current.replaceWith(next);
    window.scrollTo(0, y);
    loadOpen(next);
    return next;
  }

  async function poll() {
    try {
      const res = await fetch(`/api/runs/${id}/progress`, { headers: { accept: 'application/json' } });
      if (res.ok) {
        const now = JSON.stringify(await res.json());
        if (now !== last) {
          last = now;
          const next = await refresh();
          if (next && next.dataset.live !== '1') return; // finished: the page is final
        }
      }
    } catch (err) {
      console.warn('accrete ui: could not poll the run', err);
    }
    setTimeout(poll, INTERVAL_MS);
  }
  setTimeout(poll, INTERVAL_MS);
})();
