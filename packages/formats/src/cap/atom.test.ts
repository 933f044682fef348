import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFeed } from '@rowanmanning/feed-parser';
import { capAtomFeed } from './atom.js';
import { createCapPublisher } from './cap.js';
import { parseZonesGeoJson } from '../interchange/zones.js';

const T0 = 1714564800;
const ring = [[126.95, 37.57], [127, 37.57], [127, 37.62], [126.95, 37.62], [126.95, 37.57]];

test('Atom feed: newest entry first, title = headline, category = tier, escaped; an empty feed is still valid', () => {
  const z = parseZonesGeoJson(JSON.stringify({ type: 'FeatureCollection', features: ['a', 'b'].map((id) => ({ type: 'Feature', properties: { id, name: `Zone ${id} & <co>` }, geometry: { type: 'Polygon', coordinates: [ring] } })) }));
  assert.ok(z.ok);
  const pub = createCapPublisher(z.zones, { sender: 'skywarden@feed.example' });
  const ma = pub.publish({ t: T0, zone: 'a', state: 'alert', tier: 'warning', etaS: 400, tracks: ['1'], reason: 'r' })!;
  const mb = pub.publish({ t: T0 + 60, zone: 'b', state: 'alert', tier: 'imminent', etaS: 0, tracks: ['2'], reason: 'r' })!;
  const href = (id: string) => `https://warn.example/api/v1/cap/${id}`;
  const xml = capAtomFeed({ selfHref: 'https://warn.example/api/v1/cap.atom', title: 'Warnings', author: 'Skywarden', emptyUpdated: '2024-05-01T00:00:00+00:00', entries: [{ xml: ma.xml, href: href(ma.identifier) }, { xml: mb.xml, href: href(mb.identifier) }] });
  const feed = parseFeed(xml);
  assert.equal(feed.meta.type, 'atom');
  assert.deepEqual(feed.items.map((i) => i.id), [href(mb.identifier), href(ma.identifier)], 'newest first');
  assert.equal(feed.items[0].title, 'Drone attack warning: Zone b & <co>, drone overhead');
  assert.deepEqual(feed.items.map((i) => i.categories.map((c) => c.term)), [['imminent'], ['warning']]);
  assert.equal(feed.updated?.toISOString(), '2024-05-01T12:01:00.000Z', "the feed's updated is its newest entry's sent");
  assert.match(xml, /<title>Drone attack warning: Zone b &amp; &lt;co&gt;, drone overhead<\/title>/);
  const empty = parseFeed(capAtomFeed({ selfHref: 'https://warn.example/api/v1/cap.atom', title: 'Warnings', author: 'Skywarden', emptyUpdated: '2024-05-01T00:00:00+00:00', entries: [] }));
  assert.equal(empty.items.length, 0);
  assert.equal(empty.updated?.toISOString(), '2024-05-01T00:00:00.000Z');
  assert.throws(() => capAtomFeed({ selfHref: 'x', title: 't', author: 'a', emptyUpdated: 'u', entries: [{ xml: '<oops', href: 'h' }] }), /Atom feed: entry h: CAP: /);
});
