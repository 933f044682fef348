/** Tiny DOM helpers: element creation with text (never innerHTML with data), lookups. */

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h(tag: string, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

export function show(el: HTMLElement, on: boolean): void {
  el.classList.toggle('hidden', !on);
}

/** Transient message in the corner (new zone alerts, results and errors of actions, connection changes); it takes no clicks. */
export function toast(text: string, kind: 'info' | 'error' | 'ok' | 'alert' = 'info', ms = 4000): void {
  const box = document.getElementById('toasts');
  if (!box) return;
  while (box.childElementCount >= 3) box.firstElementChild?.remove();
  const el = h('div', { class: `toast toast-${kind}`, role: 'status', text });
  box.append(el);
  setTimeout(() => el.remove(), ms);
}
