/**
 * Entry: log in (or reuse the session), then start the live picture. `?bench=1` starts the
 * render benchmark page instead (synthetic data, no server needed).
 */
import './styles.css';
import { createApi } from './api.js';
import { ensureLogin } from './login.js';
import { startApp } from './app.js';
import { currentLang, initLang, t } from './i18n.js';
import { errorText } from './logic/i18n.js';

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  if (params.get('bench') === '1') {
    const { startBench } = await import('./bench-mode.js');
    await startBench();
    return;
  }
  // the language first: the login form is in it too
  initLang();
  const api = createApi();
  const me = await ensureLogin(api);
  await startApp({
    api,
    me,
    onLogout: () => {
      api.setToken(null);
      location.reload();
    },
  });
}

main().catch((e) => {
  console.error(e);
  const el = document.getElementById('fatal');
  if (el) {
    el.textContent = t('app.failed', { why: errorText(currentLang(), e) });
    el.classList.remove('hidden');
  }
});
