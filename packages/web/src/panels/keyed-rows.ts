/**
 * Lists whose rows are keyed by id and updated in place (the tracks and threats panels): a row
 * under the finger or the pointer stays the same element while its numbers change, and while
 * the pointer is over the list its order is frozen (new rows go to the end, gone ones fade).
 */

export interface KeyedList<R extends { tr: HTMLElement }> {
  body: HTMLElement;
  rows: Map<string, R>;
  frozen: boolean;
}

/** A list over `body` whose order freezes while the pointer is over it. */
export function keyedList<R extends { tr: HTMLElement }>(body: HTMLElement): KeyedList<R> {
  const k: KeyedList<R> = { body, rows: new Map(), frozen: false };
  body.addEventListener('pointerenter', () => (k.frozen = true));
  body.addEventListener('pointerleave', () => (k.frozen = false));
  return k;
}

/** Puts row `tr` after `prev` (the list's order), or at the end of a frozen list; returns the new `prev`. */
export function placeRow(k: KeyedList<{ tr: HTMLElement }>, tr: HTMLElement, prev: Element | null): Element | null {
  if (k.frozen) {
    if (!tr.isConnected) k.body.append(tr);
    return prev;
  }
  // keep order without moving rows that are already in place
  const want: Element | null = prev ? prev.nextElementSibling : k.body.firstElementChild;
  if (want !== tr) k.body.insertBefore(tr, want);
  return tr;
}

/** Rows not in `keep`: faded while the list is frozen, else removed. */
export function dropStale(k: KeyedList<{ tr: HTMLElement }>, keep: ReadonlySet<string>): void {
  for (const [id, r] of k.rows) {
    if (keep.has(id)) continue;
    if (k.frozen) r.tr.classList.add('dismissed');
    else {
      r.tr.remove();
      k.rows.delete(id);
    }
  }
}

export function setText(el: HTMLElement | Text, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
