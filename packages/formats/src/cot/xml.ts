/**
 * A small, strict XML 1.0 reader and writer helpers, enough for Cursor-on-Target events.
 *
 * The reader checks well-formedness (matching tags, quoted and unique attributes, known
 * entity references) and refuses what an event never needs and an attacker would use:
 * document type declarations (so no entity expansion), input beyond a size limit, nesting
 * beyond a depth limit and more elements than a count limit. It never throws on bad input:
 * it returns a result naming the problem and the character offset where it was found.
 * Namespaces are not interpreted (a prefixed name is kept as written).
 */
import { withoutBom } from '../interchange/check.js';

/** One element: its name, attributes (entity references resolved) and children. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (entities resolved, CDATA kept). */
  text: string;
}

/** Result of {@link parseXml}. */
export type XmlResult = { ok: true; root: XmlElement } | { ok: false; reason: string };

/** Limits of {@link parseXml}. */
export interface XmlLimits {
  /** Largest input accepted, in UTF-16 code units (default 1,000,000). */
  maxLength?: number;
  /** Deepest element nesting accepted (default 32). */
  maxDepth?: number;
  /** Most elements accepted (default 10,000). */
  maxElements?: number;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c >= 0xc0;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** A character allowed in XML 1.0 content (Char production), for one UTF-16 code unit. */
function isXmlChar(c: number): boolean {
  return c === 9 || c === 10 || c === 13 || (c >= 32 && c <= 0xfffd && c !== 0xfffe);
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);
}

class Reader {
  pos = 0;
  err: string | undefined;
  elements = 0;
  constructor(
    readonly s: string,
    readonly maxDepth: number,
    readonly maxElements: number,
  ) {}

  fail(msg: string): null {
    if (this.err === undefined) this.err = `${msg} (at offset ${this.pos})`;
    return null;
  }

  skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length && isSpace(s.charCodeAt(this.pos))) this.pos++;
  }

  name(): string | null {
    const s = this.s;
    const start = this.pos;
    if (start >= s.length || !isNameStart(s.charCodeAt(start))) {
      return this.fail(`expected a name, got ${start >= s.length ? 'the end of the input' : quote(s.slice(start, start + 10))}`);
    }
    this.pos++;
    while (this.pos < s.length && isNameChar(s.charCodeAt(this.pos))) this.pos++;
    return s.slice(start, this.pos);
  }

  /** Resolves entity and character references in `raw` (text or an attribute value). */
  decode(raw: string, at: number): string | null {
    if (raw.indexOf('&') < 0) {
      for (let i = 0; i < raw.length; i++) {
        const c = raw.charCodeAt(i);
        if (!isXmlChar(c) && !(c >= 0xd800 && c <= 0xdfff)) return this.failAt(at + i, `character U+${c.toString(16).padStart(4, '0')} is not allowed in XML`);
        if (c === 60) return this.failAt(at + i, "'<' must be escaped as &lt;");
      }
      return raw;
    }
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const c = raw.charCodeAt(i);
      if (c === 60) return this.failAt(at + i, "'<' must be escaped as &lt;");
      if (!isXmlChar(c) && !(c >= 0xd800 && c <= 0xdfff)) return this.failAt(at + i, `character U+${c.toString(16).padStart(4, '0')} is not allowed in XML`);
      if (c !== 38) {
        out += raw[i];
        i++;
        continue;
      }
      const semi = raw.indexOf(';', i);
      if (semi < 0 || semi - i > 12) return this.failAt(at + i, "'&' must start a reference like &amp; (no ';' follows)");
      const ref = raw.slice(i + 1, semi);
      if (ref.charCodeAt(0) === 35) {
        const hex = ref.charCodeAt(1) === 120;
        const digits = ref.slice(hex ? 2 : 1);
        if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) return this.failAt(at + i, `bad character reference &${ref};`);
        const cp = parseInt(digits, hex ? 16 : 10);
        if (cp > 0x10ffff || (cp < 0x10000 && !isXmlChar(cp)) || (cp >= 0xd800 && cp <= 0xdfff)) {
          return this.failAt(at + i, `character reference &${ref}; names a character not allowed in XML`);
        }
        out += String.fromCodePoint(cp);
      } else {
        const e = ENTITIES[ref];
        if (e === undefined || !Object.prototype.hasOwnProperty.call(ENTITIES, ref)) {
          return this.failAt(at + i, `unknown entity &${ref}; (only &lt; &gt; &amp; &quot; &apos; and character references)`);
        }
        out += e;
      }
      i = semi + 1;
    }
    return out;
  }

  failAt(pos: number, msg: string): null {
    if (this.err === undefined) this.err = `${msg} (at offset ${pos})`;
    return null;
  }

  /** Skips comments, processing instructions and whitespace; returns false on error. */
  misc(allowDecl: boolean): boolean {
    const s = this.s;
    for (;;) {
      this.skipSpace();
      if (s.startsWith('<!--', this.pos)) {
        const end = s.indexOf('-->', this.pos + 4);
        if (end < 0) return this.fail('unterminated comment') !== null;
        if (s.slice(this.pos + 4, end).includes('--')) return this.fail("'--' is not allowed inside a comment") !== null;
        this.pos = end + 3;
      } else if (s.startsWith('<?', this.pos)) {
        const end = s.indexOf('?>', this.pos + 2);
        if (end < 0) return this.fail('unterminated processing instruction') !== null;
        const target = /^[^\s?]*/.exec(s.slice(this.pos + 2, end))?.[0] ?? '';
        if (target.toLowerCase() === 'xml' && !(allowDecl && this.pos === 0)) {
          return this.fail('the XML declaration may only appear at the very start') !== null;
        }
        if (target === '') return this.fail('a processing instruction needs a target name') !== null;
        this.pos = end + 2;
      } else if (s.startsWith('<!DOCTYPE', this.pos)) {
        return this.fail('document type declarations are not accepted') !== null;
      } else {
        return true;
      }
      allowDecl = false;
    }
  }

  element(depth: number): XmlElement | null {
    const s = this.s;
    if (depth > this.maxDepth) return this.fail(`elements nest deeper than ${this.maxDepth}`);
    if (++this.elements > this.maxElements) return this.fail(`more than ${this.maxElements} elements`);
    if (s.charCodeAt(this.pos) !== 60) return this.fail("expected '<'");
    this.pos++;
    const name = this.name();
    if (name === null) return null;
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      if (this.pos >= s.length) return this.fail(`unterminated start tag <${name}`);
      const c = s.charCodeAt(this.pos);
      if (c === 47) {
        if (s.charCodeAt(this.pos + 1) !== 62) return this.fail(`expected '/>' to end <${name}`);
        this.pos += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (c === 62) {
        this.pos++;
        break;
      }
      if (before === this.pos) return this.fail(`expected whitespace before an attribute in <${name}`);
      const an = this.name();
      if (an === null) return null;
      this.skipSpace();
      if (s.charCodeAt(this.pos) !== 61) return this.fail(`expected '=' after attribute ${an} of <${name}>`);
      this.pos++;
      this.skipSpace();
      const q = s.charCodeAt(this.pos);
      if (q !== 34 && q !== 39) return this.fail(`the value of attribute ${an} of <${name}> must be quoted`);
      const end = s.indexOf(q === 34 ? '"' : "'", this.pos + 1);
      if (end < 0) return this.fail(`unterminated value of attribute ${an} of <${name}>`);
      if (Object.prototype.hasOwnProperty.call(attrs, an)) return this.fail(`attribute ${an} appears twice in <${name}>`);
      // Attribute-value normalisation (XML 1.0 §3.3.3): literal tab, LF and CR read as spaces.
      const v = this.decode(s.slice(this.pos + 1, end).replace(/[\t\n\r]/g, ' '), this.pos + 1);
      if (v === null) return null;
      attrs[an] = v;
      this.pos = end + 1;
    }
    const el: XmlElement = { name, attrs, children: [], text: '' };
    for (;;) {
      const lt = s.indexOf('<', this.pos);
      if (lt < 0) return this.fail(`element <${name}> is not closed`);
      if (lt > this.pos) {
        const raw = s.slice(this.pos, lt);
        if (raw.includes(']]>')) return this.failAt(this.pos + raw.indexOf(']]>'), "']]>' is not allowed in text");
        const t = this.decode(raw, this.pos);
        if (t === null) return null;
        el.text += t;
        this.pos = lt;
      }
      if (s.startsWith('</', this.pos)) {
        this.pos += 2;
        const close = this.name();
        if (close === null) return null;
        if (close !== name) return this.fail(`</${close}> closes <${name}>`);
        this.skipSpace();
        if (s.charCodeAt(this.pos) !== 62) return this.fail(`expected '>' to end </${name}`);
        this.pos++;
        return el;
      }
      if (s.startsWith('<![CDATA[', this.pos)) {
        const end = s.indexOf(']]>', this.pos + 9);
        if (end < 0) return this.fail('unterminated CDATA section');
        el.text += s.slice(this.pos + 9, end);
        this.pos = end + 3;
        continue;
      }
      if (s.startsWith('<!--', this.pos) || s.startsWith('<?', this.pos)) {
        if (!this.misc(false)) return null;
        continue;
      }
      if (s.startsWith('<!', this.pos)) return this.fail('unexpected markup declaration inside an element');
      const child = this.element(depth + 1);
      if (child === null) return null;
      el.children.push(child);
    }
  }
}

/**
 * Parses one XML document (one root element). Never throws on bad input.
 * A leading byte-order mark is skipped. Text outside the root element other than whitespace,
 * comments and processing instructions is an error.
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlResult {
  if (typeof text !== 'string') return { ok: false, reason: `XML input must be a string, got ${typeof text}` };
  const maxLength = limits.maxLength ?? 1_000_000;
  if (text.length > maxLength) return { ok: false, reason: `XML input is ${text.length} characters long, more than the limit of ${maxLength}` };
  const s = withoutBom(text);
  const r = new Reader(s, limits.maxDepth ?? 32, limits.maxElements ?? 10_000);
  if (!r.misc(true)) return { ok: false, reason: r.err ?? 'bad prolog' };
  if (r.pos >= s.length) return { ok: false, reason: 'no root element (empty document)' };
  const root = r.element(0);
  if (root === null) return { ok: false, reason: r.err ?? 'bad element' };
  if (!r.misc(false)) return { ok: false, reason: r.err ?? 'bad trailing content' };
  if (r.pos < s.length) return { ok: false, reason: `unexpected content after the root element </${root.name}> (at offset ${r.pos})` };
  return { ok: true, root };
}

/** Escapes text for an XML attribute value (double-quoted) or character data. */
export function escapeXml(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 38) out += '&amp;';
    else if (c === 60) out += '&lt;';
    else if (c === 62) out += '&gt;';
    else if (c === 34) out += '&quot;';
    else if (c === 39) out += '&apos;';
    else if (c === 9 || c === 10 || c === 13) out += `&#${c};`;
    else if (c < 32 || c === 0xfffe || c === 0xffff) out += '\ufffd'; // not representable in XML 1.0
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else out += '\ufffd'; // a lone surrogate cannot be written as UTF-8
    } else if (c >= 0xdc00 && c <= 0xdfff) out += '\ufffd';
    else out += s[i];
  }
  return out;
}

/** First child element named `name`, if any. */
export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  for (const c of el.children) if (c.name === name) return c;
  return undefined;
}
