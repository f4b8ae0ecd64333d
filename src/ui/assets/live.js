// accrete ui: a run in progress updates live. While the page says data-live="1", poll the run
// tree's progress; when it changes, fetch the page again and swap it in, keeping what the reader
// opened (details elements, by id) and the scroll position.
(function () {
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
