/**
 * Login screen. The session is the bearer token (kept for this tab) and the server's
 * HttpOnly cookie; on start we ask GET /me and only show the form when that fails. Its texts
 * follow the UI's language (data-i18n in index.html, the messages here), and it has its own
 * language switch: the top bar's is not shown before the login.
 */
import type { Api, Me } from './api.js';
import { ApiError } from './api.js';
import { $, show } from './dom.js';
import { currentLang, setLang, t } from './i18n.js';
import { errorText } from './logic/i18n.js';

let langBound = false;
/** The login form's language switch (the same texts as the top bar's). */
function bindLang(): void {
  const b = document.getElementById('login-lang');
  if (!b) return;
  const label = () => {
    b.setAttribute('aria-label', t('lang.switch.label'));
    b.setAttribute('lang', currentLang() === 'en' ? 'ko' : 'en');
  };
  label();
  if (langBound) return;
  langBound = true;
  b.addEventListener('click', () => {
    setLang(currentLang() === 'en' ? 'ko' : 'en');
    label();
  });
}

/**
 * Resolves with the user once logged in (existing session or the form). A server that lets
 * anyone view (the demo) answers /me with user null and role viewer: the picture starts
 * read-only and the Log in button opens the form.
 */
export async function ensureLogin(api: Api): Promise<Me> {
  try {
    return await api.me();
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) {
      // server unreachable or other error: still show the form, with the reason
      $('login-error').textContent = errorText(currentLang(), e);
    }
  }
  return showLogin(api);
}

export function showLogin(api: Api, cancellable = false): Promise<Me> {
  const screen = $('login');
  const form = $('login-form') as HTMLFormElement;
  const user = $('login-user') as HTMLInputElement;
  const pass = $('login-password') as HTMLInputElement;
  const err = $('login-error');
  const button = form.querySelector('button') as HTMLButtonElement;
  show(screen, true);
  show($('app'), false);
  bindLang();
  user.focus();
  const cancel = $('login-cancel');
  show(cancel, cancellable);
  if (cancellable) {
    cancel.onclick = () => {
      show(screen, false);
      show($('app'), true);
    };
  }
  return new Promise((resolve) => {
    const submit = async (ev: Event) => {
      ev.preventDefault();
      err.textContent = '';
      button.disabled = true;
      try {
        const r = await api.login(user.value.trim(), pass.value);
        pass.value = '';
        form.removeEventListener('submit', submit);
        show(screen, false);
        resolve({ user: r.user, role: r.role });
      } catch (e) {
        err.textContent = e instanceof ApiError && e.status === 401 ? t('login.wrong') : t('login.failed', { why: errorText(currentLang(), e) });
      } finally {
        button.disabled = false;
      }
    };
    form.addEventListener('submit', submit);
  });
}
