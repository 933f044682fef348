/**
 * Entry: log in (or reuse the session), then start the live picture. `?bench=1` starts the
 * render benchmark page instead (synthetic data, no server needed).
 */
import './styles.css';
import { createApi } from './api.js';
import { ensureLogin } from './login.js';
import { startApp } from './app.js';

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  if (params.get('bench') === '1') {
    const { startBench } = await import('./bench-mode.js');
    await startBench();
    return;
  }
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
    el.textContent = `Skywarden could not start: ${(e as Error).message}`;
    el.classList.remove('hidden');
  }
});
