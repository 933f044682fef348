/**
 * Small dense linear algebra on row-major `Float64Array`s, for 2..9 dimensional filters.
 * Every function writes into an out-parameter and allocates nothing. Dimensions are passed
 * explicitly; the caller guarantees buffer sizes. Numeric failure (a matrix that is not
 * positive definite) is returned as `false`, never thrown.
 */

/** out(n×p) = a(n×m) · b(m×p). `out` must not alias `a` or `b`. */
export function matMul(a: Float64Array, b: Float64Array, out: Float64Array, n: number, m: number, p: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += a[i * m + k] * b[k * p + j];
      out[i * p + j] = s;
    }
  }
  return out;
}

/** out(n×p) = a(n×m) · b(p×m)ᵀ. `out` must not alias `a` or `b`. */
export function matMulABt(a: Float64Array, b: Float64Array, out: Float64Array, n: number, m: number, p: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += a[i * m + k] * b[j * m + k];
      out[i * p + j] = s;
    }
  }
  return out;
}

/** out(n×n) = (a + aᵀ)/2, in place allowed. */
export function symmetrize(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/**
 * Cholesky factor L (lower triangular, row-major n×n) of a symmetric positive definite `a`:
 * a = L·Lᵀ. Returns false (and leaves `out` partly written) when `a` is not positive definite.
 */
export function cholesky(a: Float64Array, n: number, out: Float64Array): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= out[i * n + k] * out[j * n + k];
      if (i === j) {
        if (!(s > 0)) return false;
        out[i * n + i] = Math.sqrt(s);
      } else {
        out[i * n + j] = s / out[j * n + j];
      }
    }
    for (let j = i + 1; j < n; j++) out[i * n + j] = 0;
  }
  return true;
}

/** log-determinant of a from its Cholesky factor L. */
export function logDetFromCholesky(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/**
 * Inverse of a symmetric positive definite matrix from its Cholesky factor L (n×n) into `out`.
 * `tmp` is scratch of length n·n.
 */
export function invFromCholesky(l: Float64Array, n: number, out: Float64Array, tmp: Float64Array): Float64Array {
  // tmp = L⁻¹ (lower triangular), by forward substitution column by column.
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      if (i < j) {
        tmp[i * n + j] = 0;
        continue;
      }
      let s = i === j ? 1 : 0;
      for (let k = j; k < i; k++) s -= l[i * n + k] * tmp[k * n + j];
      tmp[i * n + j] = s / l[i * n + i];
    }
  }
  // out = L⁻ᵀ L⁻¹
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += tmp[k * n + i] * tmp[k * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Quadratic form vᵀ·A⁻¹·v from the Cholesky factor L of A, using `tmp` (length n) as scratch. */
export function mahalanobisSq(l: Float64Array, n: number, v: ArrayLike<number>, tmp: Float64Array): number {
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    let s = v[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * tmp[k];
    const y = s / l[i * n + i];
    tmp[i] = y;
    d2 += y * y;
  }
  return d2;
}
