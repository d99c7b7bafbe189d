// The dashboard's shell: a hash router (#/jobs, #/jobs/<id>, #/new, #/models, #/playground, #/compare[/<id>]), the connection banner
// and sign-out. Each page module exports render(view, params) and may return a cleanup function.
import { get, post, onConnection } from './api.js';
import * as jobs from './jobs.js';
import * as job from './job.js';
import * as newJob from './newjob.js';
import * as models from './models.js';
import * as playground from './playground.js';
import * as compare from './compare.js';

const view = document.getElementById('view');
const banner = document.getElementById('connection');
let cleanup = null;

const routes = [
  [/^#\/jobs\/([^/]+)$/, job, 'jobs'],
  [/^#\/jobs$/, jobs, 'jobs'],
  [/^#\/new$/, newJob, 'new'],
  [/^#\/models$/, models, 'models'],
  [/^#\/playground(?:\?model=(.*))?$/, playground, 'playground'],
  [/^#\/compare(?:\/([^/]+))?$/, compare, 'compare'],
];

function route() {
  const hash = location.hash || '#/jobs';
  const [, page, nav, match] = routes.map(([re, p, n]) => [re, p, n, hash.match(re)]).find((r) => r[3]) || [null, jobs, 'jobs', []];
  if (typeof cleanup === 'function') cleanup();
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === nav));
  view.replaceChildren();
  cleanup = page.render(view, (match || []).slice(1).map((p) => (p ? decodeURIComponent(p) : p)));
}

onConnection((ok) => {
  banner.hidden = ok;
  banner.textContent = ok ? '' : 'Connection to the server lost. Retrying…';
});

// A page at rest asks the server nothing (Jobs once every job is final, Models, a half-filled form), so the banner would
// only say the server is gone at the next click, and stay up until then once it is back: a light GET /health keeps it true.
setInterval(() => { if (!document.hidden) get('/health').catch(() => {}); }, 5000);

// Sign-out only means something when the server has a key (GET / says so to non-browser clients).
(async () => {
  try {
    const index = await get('/', { accept: 'application/json' });
    const button = document.getElementById('logout');
    button.hidden = !index.api_key_required;
    button.addEventListener('click', async () => { await post('/dashboard/logout'); location.reload(); });
  } catch { /* the banner already says why */ }
})();

window.addEventListener('hashchange', route);
route();
