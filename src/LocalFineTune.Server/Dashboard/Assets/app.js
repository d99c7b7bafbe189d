// The dashboard's shell: a hash router (#/jobs, #/jobs/<id>, #/new, #/models, #/playground, #/compare[/<id>],
// #/schedules), focus moved to each new page's heading, the skip link, the connection banner with its reconnect loop,
// and sign-out. Each page module exports render(view, params) and may return a cleanup function.
import { get, post, onConnection, probe } from './api.js';
import { h, announce } from './ui.js';
import * as jobs from './jobs.js';
import * as job from './job.js';
import * as newJob from './newjob.js';
import * as models from './models.js';
import * as playground from './playground.js';
import * as compare from './compare.js';
import * as schedules from './schedules.js';

const view = document.getElementById('view');
const banner = document.getElementById('connection');
let cleanup = null;
// Whether the user typed into the current page: a reconnect then keeps it rather than re-rendering their input away.
let edited = false;

const routes = [
  [/^#\/jobs\/([^/]+)$/, job, 'jobs'],
  [/^#\/jobs$/, jobs, 'jobs'],
  [/^#\/new$/, newJob, 'new'],
  [/^#\/models$/, models, 'models'],
  [/^#\/playground(?:\?model=(.*))?$/, playground, 'playground'],
  [/^#\/compare(?:\/([^/]+))?$/, compare, 'compare'],
  [/^#\/schedules$/, schedules, 'schedules'],
];

function route({ focus = true } = {}) {
  const hash = location.hash || '#/jobs';
  const [, page, nav, match] = routes.map(([re, p, n]) => [re, p, n, hash.match(re)]).find((r) => r[3]) || [null, jobs, 'jobs', []];
  if (typeof cleanup === 'function') cleanup();
  document.querySelectorAll('[data-nav]').forEach((a) => {
    a.classList.toggle('active', a.dataset.nav === nav);
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  view.replaceChildren();
  edited = false;
  cleanup = page.render(view, (match || []).slice(1).map((p) => (p ? decodeURIComponent(p) : p)));
  const heading = view.querySelector('h1');
  document.title = heading ? `${heading.textContent} · LocalFineTune` : 'LocalFineTune';
  if (focus) focusPage(heading);
}

/** Keyboard and screen-reader users land on the new page's heading, not on the link they left. */
function focusPage(heading) {
  const target = heading || view;
  if (heading) heading.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: false });
}

// The skip link: a plain #view would be taken for a route, so it moves focus itself.
document.getElementById('skip').addEventListener('click', (event) => {
  event.preventDefault();
  focusPage(view.querySelector('h1'));
});
view.addEventListener('input', () => { edited = true; });

// While the server cannot be reached: the banner, and /health probed every 2 s, backing off to 8 s. When it answers,
// the banner goes and the page is rendered again (fresh data, new timers and streams) unless the user typed into it.
const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 8000;
let offline = false;
let retryTimer = null;

function showBanner(text) {
  banner.replaceChildren(h('div.banner', {}, text));
}

onConnection((ok) => {
  if (ok) {
    if (offline) reconnected();
    return;
  }
  if (offline) return;
  offline = true;
  showBanner('Connection to the server lost. Retrying…');
  scheduleProbe(RETRY_FIRST_MS);
});

// A page at rest asks the server nothing (Jobs once every job is final, Models, a half-filled form), so the banner would
// only say the server is gone at the next click, and stay up until then once it is back: a light GET /health keeps it true.
// While offline the probe loop below asks instead, at its own pace.
setInterval(() => { if (!document.hidden && !offline) get('/health').catch(() => {}); }, 5000);

function scheduleProbe(delay) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(async () => {
    if (!offline) return;
    const problem = await probe();
    if (problem === null) { reconnected(); return; }
    // Unreachable: the banner keeps its line. Answering but unhealthy (503): the server's reason, which says what to fix.
    if (problem) showBanner(`${problem} Retrying…`);
    scheduleProbe(Math.min(delay * 1.5, RETRY_MAX_MS));
  }, delay);
}

function reconnected() {
  if (!offline) return;
  offline = false;
  clearTimeout(retryTimer);
  banner.replaceChildren();
  announce('Connected to the server again.');
  // Focus inside the page would fall to <body> with the old nodes: it goes to the new heading instead.
  if (!edited) route({ focus: view.contains(document.activeElement) && document.activeElement !== view });
}

// Sign-out only means something when the server has a key (GET / says so to non-browser clients).
(async () => {
  try {
    const index = await get('/', { accept: 'application/json' });
    const button = document.getElementById('logout');
    button.hidden = !index.api_key_required;
    button.addEventListener('click', async () => { await post('/dashboard/logout'); location.reload(); });
  } catch { /* the banner already says why */ }
})();

window.addEventListener('hashchange', () => route());
route({ focus: false });
