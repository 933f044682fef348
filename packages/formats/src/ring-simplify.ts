/**
 * Ring simplification shared by the CAP encoder and the CoT zone shapes: which vertices of a
 * ring to keep when a receiver limits the size.
 */

/**
 * Indices (ascending) of at most `max` vertices of an open ring of `n` points to keep, by
 * Douglas-Peucker importance: each vertex gets the distance at which the recursive
 * subdivision would keep it, capped by its parent's, and the `max` most important are kept
 * (the same set as Douglas-Peucker at the matching tolerance). Planar in (lon·cos φ̄, lat).
 */
export function simplifyIndices(xs: Float64Array, ys: Float64Array, max: number): number[] {
  return importanceOrder(xs, ys).slice(0, max).sort((a, b) => a - b);
}

/**
 * The vertices of an open ring, most significant first (Douglas-Peucker importance, see
 * {@link simplifyIndices}): its first `k` entries, sorted, are the `k` vertices to keep, for any k.
 */
export function importanceOrder(xs: Float64Array, ys: Float64Array): number[] {
  const n = xs.length;
  const imp = new Float64Array(n);
  let far = 0;
  let best = -1;
  for (let i = 1; i < n; i++) {
    const d = (xs[i] - xs[0]) ** 2 + (ys[i] - ys[0]) ** 2;
    if (d > best) {
      best = d;
      far = i;
    }
  }
  imp[0] = Infinity;
  imp[far] = Infinity;
  // segments [i, j] with j possibly n (standing for 0), and the cap from their parent
  const stack: number[] = [0, far, Infinity, far, n, Infinity];
  while (stack.length > 0) {
    const cap = stack.pop() as number;
    const j = stack.pop() as number;
    const i = stack.pop() as number;
    if (j - i < 2) continue;
    const jj = j % n;
    const ax = xs[i];
    const ay = ys[i];
    const dx = xs[jj] - ax;
    const dy = ys[jj] - ay;
    const len2 = dx * dx + dy * dy;
    let k = -1;
    let dk = -1;
    for (let m = i + 1; m < j; m++) {
      const px = xs[m] - ax;
      const py = ys[m] - ay;
      let d: number;
      if (len2 === 0) d = Math.hypot(px, py);
      else {
        const u = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        d = Math.hypot(px - u * dx, py - u * dy);
      }
      if (d > dk) {
        dk = d;
        k = m;
      }
    }
    const v = Math.min(dk, cap);
    imp[k] = v;
    stack.push(i, k, v, k, j, v);
  }
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => imp[b] - imp[a] || a - b);
}
