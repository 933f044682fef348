import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, escapeXml } from './xml.js';

test('parseXml reads elements, attributes, text, entities, CDATA and comments', () => {
  const r = parseXml(`\ufeff<?xml version="1.0"?><!-- a --><a x='1' y="&lt;&#65;&#x42;&quot;"><b/>t&amp;<![CDATA[<raw>]]><?pi data?><c z="2">in</c></a>\n`);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.root.name, 'a');
  assert.deepEqual({ ...r.root.attrs }, { x: '1', y: '<AB"' });
  assert.equal(r.root.text, 't&<raw>');
  assert.deepEqual(r.root.children.map((c) => c.name), ['b', 'c']);
  assert.equal(r.root.children[1]!.text, 'in');
});

test('parseXml rejects malformed documents with a reason and offset', () => {
  const cases: [string, RegExp][] = [
    ['<a><b></a>', /<\/a> closes <b>/],
    ['<a x=1/>', /must be quoted/],
    ['<a x="1" x="2"/>', /appears twice/],
    ['<a>&nbsp;</a>', /unknown entity &nbsp;/],
    ['<a>&#0;</a>', /not allowed in XML/],
    ['<a>&#xD800;</a>', /not allowed in XML/],
    ['<a/><b/>', /after the root element/],
    ['<a x="<"/>', /must be escaped/],
    ['<a>\u0001</a>', /U\+0001 is not allowed/],
    ['<a', /unterminated start tag/],
    ['<a><!-- x -- y --></a>', /'--' is not allowed/],
    ['<a><?xml version="1.0"?></a>', /only appear at the very start/],
    ['<a>]]></a>', /']]>' is not allowed/],
    ['<a x="1"y="2"/>', /expected whitespace/],
    ['text', /expected '<'/],
    ['<a>&__proto__;</a>', /unknown entity/],
    ['<!DOCTYPE a><a/>', /document type declarations/],
  ];
  for (const [xml, re] of cases) {
    const r = parseXml(xml);
    assert.ok(!r.ok, xml);
    assert.match(r.reason, re, xml);
    assert.match(r.reason, /offset \d+|after the root/, xml);
  }
  const many = parseXml('<a>' + '<b/>'.repeat(20) + '</a>', { maxElements: 10 });
  assert.ok(!many.ok && /more than 10 elements/.test(many.reason));
});

test('escapeXml output reads back to the same string', () => {
  const s = `a<b>&"c'\td\n\ud83d\ude00 \u0001 \ud800`;
  const r = parseXml(`<x v="${escapeXml(s)}">${escapeXml(s)}</x>`);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const expected = s.replace('\u0001', '\ufffd').replace(/\ud800$/, '\ufffd');
  assert.equal(r.root.attrs.v, expected);
  assert.equal(r.root.text, expected);
});
