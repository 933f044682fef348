/**
 * Where JSON text goes wrong, for error messages that name the place: `JSON.parse` names it for
 * some errors ("... in JSON at position 7") and not for others ("Unexpected token '}', ... is not
 * valid JSON", with a clipped copy of the text), and a character offset into a batch of a
 * thousand rows helps nobody. {@link jsonErrorOffset} finds the first offending character by
 * the JSON grammar (RFC 8259) in one pass, without recursion (nesting costs a stack of small
 * integers, not the call stack); {@link describeJsonError} turns it into a line and column.
 */

const WS = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const DIGIT = (c: number) => c >= 0x30 && c <= 0x39;
const HEX = (c: number) => DIGIT(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * The offset (in UTF-16 units) of the first character at which `s` stops being one JSON text,
 * `s.length` when it ends too early, or −1 when it is valid JSON.
 */
export function jsonErrorOffset(s: string): number {
  const n = s.length;
  let i = 0;
  const skip = () => {
    while (i < n && WS(s.charCodeAt(i))) i++;
  };
  /** A string at i (its opening quote): true and i past it, or false and i at the fault. */
  const str = (): boolean => {
    if (s.charCodeAt(i) !== 0x22) return false;
    i++;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = s.charCodeAt(i + 1);
        if (e === 0x75) {
          // a bad escape: the fault is the backslash that starts it
          for (let k = 2; k < 6; k++) if (!HEX(s.charCodeAt(i + k))) return false;
          i += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const num = (): boolean => {
    if (s.charCodeAt(i) === 0x2d) i++;
    if (s.charCodeAt(i) === 0x30) i++;
    else if (DIGIT(s.charCodeAt(i))) while (DIGIT(s.charCodeAt(i))) i++;
    else return false;
    if (s.charCodeAt(i) === 0x2e) {
      i++;
      if (!DIGIT(s.charCodeAt(i))) return false;
      while (DIGIT(s.charCodeAt(i))) i++;
    }
    const e = s.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      if (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d) i++;
      if (!DIGIT(s.charCodeAt(i))) return false;
      while (DIGIT(s.charCodeAt(i))) i++;
    }
    return true;
  };
  const word = (w: string): boolean => {
    for (let k = 0; k < w.length; k++, i++) if (s[i] !== w[k]) return false;
    return true;
  };
  /** A member's key and its colon (blanks about them): true and i past the colon, or false and i at the fault. */
  const key = (): boolean => {
    skip();
    if (!str()) return false;
    skip();
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    return true;
  };
  // containers open: 0 an object, 1 an array
  const stack: number[] = [];
  let wantValue = true;
  for (;;) {
    skip();
    if (wantValue) {
      if (i >= n) return n;
      const c = s.charCodeAt(i);
      if (c === 0x7b) {
        i++;
        skip();
        if (s.charCodeAt(i) === 0x7d) {
          i++;
          wantValue = false;
          continue;
        }
        if (!key()) return Math.min(i, n);
        stack.push(0);
        continue;
      }
      if (c === 0x5b) {
        i++;
        skip();
        if (s.charCodeAt(i) === 0x5d) {
          i++;
          wantValue = false;
          continue;
        }
        stack.push(1);
        continue;
      }
      const ok = c === 0x22 ? str() : c === 0x2d || DIGIT(c) ? num() : c === 0x74 ? word('true') : c === 0x66 ? word('false') : c === 0x6e ? word('null') : false;
      if (!ok) return Math.min(i, n);
      wantValue = false;
      continue;
    }
    // after a value
    if (stack.length === 0) return i >= n ? -1 : i;
    if (i >= n) return n;
    const c = s.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x2c) {
      i++;
      if (top === 0 && !key()) return Math.min(i, n);
      wantValue = true;
    } else if ((top === 0 && c === 0x7d) || (top === 1 && c === 0x5d)) {
      i++;
      stack.pop();
    } else return i;
  }
}

/** Line and column (both from 1) of an offset of `s`. */
export function lineColumn(s: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = s.indexOf('\n'); k >= 0 && k < offset; k = s.indexOf('\n', k + 1)) {
    line++;
    start = k + 1;
  }
  return { line, column: offset - start + 1 };
}

/**
 * Why `s` is not JSON, with where: "at line 3, column 17: <the parser's message>" (only the
 * column for a text of one line, `oneLine`); at the end of the text it says so. When the text is
 * valid JSON (the error was not a syntax error) the parser's message alone.
 */
export function describeJsonError(s: string, err: unknown, oneLine = false): string {
  const msg = err instanceof Error ? err.message : String(err);
  // the parser's message may carry a clipped copy of the text: the place says more
  const clean = msg.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '').replace(/ in JSON at position \d+(?: \(line \d+ column \d+\))?$/, '');
  const at = jsonErrorOffset(s);
  if (at < 0) return msg;
  if (at >= s.length) return `the text ends early (${s.length} characters): ${clean}`;
  const { line, column } = lineColumn(s, at);
  return `${oneLine ? `at column ${column}` : `at line ${line}, column ${column}`} (${JSON.stringify(s.slice(at, at + 12))}): ${clean}`;
}

/**
 * A parser's error message for a person: a text nested so deeply that the parser ran out of stack
 * (the YAML parser recurses: 100,000 brackets) is said to be nested too deeply, not "Maximum call
 * stack size exceeded"; where the parser said it was is kept. Others unchanged.
 */
export function parseErrorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^Maximum call stack size exceeded/, 'nested too deeply to read (the parser ran out of stack)');
}
