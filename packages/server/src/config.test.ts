import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig, DEFAULT_CONFIG, parseConfigText } from './config.js';
import { readFileSync } from 'node:fs';

describe('service configuration', () => {
  it('starts on the documented defaults', () => {
    const r = buildConfig(null, {});
    assert.ok(r.ok);
    assert.deepEqual(r.config, DEFAULT_CONFIG);
    assert.equal(r.config.http.port, 8080);
    assert.equal(r.config.store.kind, 'sqlite');
    assert.equal(r.config.mqtt.mode, 'embedded');
  });

  it('refuses CAP sender ids and instruction texts that would not read as written, naming the setting, the text and the character', () => {
    const errorsOf = (alerts: Record<string, unknown>): string[] => {
      const r = buildConfig({ alerts }, {});
      return r.ok ? [] : r.errors;
    };
    // the texts residents read: a right-to-left override makes "take shelter now" read otherwise
    const rtl = errorsOf({ instructions: { en: { shelter: 'Stay \u202Eedisni', clear: 'All clear.' } } });
    assert.equal(rtl.length, 1);
    assert.match(rtl[0], /^alerts\.instructions must be instructions that read as written \(en\.shelter has a bidirectional control .*\(U\+202E\) at character 5/);
    assert.match(errorsOf({ instructions: { ko: { clear: 'ok\u200B' } } })[0], /ko\.clear has an invisible character \(U\+200B\) at character 2/);
    assert.match(errorsOf({ instructions: { en: { shelter: 'x'.repeat(2001) } } })[0], /en\.shelter has 2001 characters, at most 2000/);
    assert.match(errorsOf({ instructions: { '<b>': { shelter: 'Go in.' } } })[0], /keyed by language tags .*not "<b>"/);
    // line feeds are taken (an instruction may have several lines), and the usual texts pass
    assert.deepEqual(errorsOf({ instructions: { en: { shelter: 'Go indoors.\nStay away from windows.' }, 'uk-UA': { clear: 'Відбій.' }, ko: { shelter: '실내로 대피하세요.' } } }), []);
    // the sender is in every CAP message and the Atom feed
    assert.match(errorsOf({ cap_sender: 'warn@\u202Egro.elpmaxe' })[0], /^alerts\.cap_sender must be a CAP sender id \(the sender has a bidirectional control .*\(U\+202E\) at character 5/);
    assert.match(errorsOf({ cap_sender: `a@${'b'.repeat(300)}` })[0], /alerts\.cap_sender must be a CAP sender id \(it must be at most 256 characters, got 302\)/);
    assert.match(errorsOf({ cap_sender: 'civil defence' })[0], /alerts\.cap_sender must be a CAP sender id \(it must be non-empty, with no spaces, commas, < or &\)/);
    assert.deepEqual(errorsOf({ cap_sender: 'civil-defence@example.org' }), []);
  });

  it('binds every listener to the loopback address by default (issue 15: unauthenticated CoT over UDP from the network)', () => {
    const r = buildConfig(null, {});
    assert.ok(r.ok);
    const c = r.config;
    assert.deepEqual(
      { http: c.http.host, mqtt: c.mqtt.host, tak_listen: c.tak.listen.host, sapient: c.sapient.host },
      { http: '127.0.0.1', mqtt: '127.0.0.1', tak_listen: '127.0.0.1', sapient: '127.0.0.1' },
    );
    // turning the CoT listener on does not open it to the network either
    const on = buildConfig({ tak: { listen: { enabled: true } } }, {});
    assert.ok(on.ok);
    assert.equal(on.config.tak.listen.host, '127.0.0.1');
    // on the network, the CoT listener needs an allow list of senders (or allow_any on a closed network)
    const open = buildConfig({ tak: { listen: { enabled: true, host: '0.0.0.0' } } }, {});
    assert.ok(!open.ok);
    assert.match(open.errors.join('\n'), /tak\.listen on "0\.0\.0\.0" reads unauthenticated CoT .* set tak\.listen\.allow_from/);
    const group = buildConfig({ tak: { listen: { enabled: true, group: '239.2.3.1' } } }, {});
    assert.ok(!group.ok, 'a multicast group is the network too');
    assert.ok(buildConfig({ tak: { listen: { enabled: true, host: '0.0.0.0', allow_from: '10.0.0.0/8, 192.168.1.7, fd00::/8' } } }, {}).ok);
    assert.ok(buildConfig({ tak: { listen: { enabled: true, host: '0.0.0.0', allow_any: true } } }, {}).ok);
    for (const bad of ['10.0.0.0/33', 'not-an-address', '10.0.0.1/8/2', '', '10.0.0.0/x']) {
      const b = buildConfig({ tak: { listen: { enabled: true, host: '0.0.0.0', allow_from: bad } } }, {});
      assert.ok(!b.ok, bad);
      assert.match(b.errors.join('\n'), /tak\.listen\.allow_from/);
    }
  });

  it('bounds MQTT packets before login: mqtt.max_packet_bytes, 64 KiB by default, validated', () => {
    const r = buildConfig(null, {});
    assert.ok(r.ok);
    assert.equal(r.config.mqtt.max_packet_bytes, 64 * 1024);
    const bad = buildConfig({ mqtt: { max_packet_bytes: 10 } }, {});
    assert.ok(!bad.ok);
    assert.match(bad.errors.join('\n'), /mqtt\.max_packet_bytes must be an integer in \[1024, 268435456\], got 10/);
  });

  it('asterix_in.max_unknown_sources: 16 by default, an integer in [0, 65536]', () => {
    const r = buildConfig(null, {});
    assert.ok(r.ok);
    assert.equal(r.config.asterix_in.max_unknown_sources, 16);
    for (const v of [-1, 1.5, 'many', 70000]) {
      const bad = buildConfig({ asterix_in: { max_unknown_sources: v } }, {});
      assert.ok(!bad.ok, `${JSON.stringify(v)} accepted`);
      assert.match(bad.errors.join('\n'), /asterix_in\.max_unknown_sources must be an integer in \[0, 65536\]/);
    }
    const ok = buildConfig({ asterix_in: { max_unknown_sources: 0 } }, {});
    assert.ok(ok.ok && ok.config.asterix_in.max_unknown_sources === 0);
  });

  it('names every bad setting, with the value it got', () => {
    const r = buildConfig({ http: { port: 'eighty' }, store: { kind: 'mongo' }, fusion: { reorder_delay_s: -1 }, alerts: { p_raise_imminent: 0.1 }, colour: 'blue' }, {});
    assert.ok(!r.ok);
    const text = r.errors.join('\n');
    assert.match(text, /alerts\.p_raise_imminent must be a number in \[0\.15, 1\], got 0\.1/);
    assert.match(text, /http\.port must be an integer in \[0, 65535\], got "eighty"/);
    assert.match(text, /store\.kind must be one of "sqlite", "postgres", got "mongo"/);
    assert.match(text, /fusion\.reorder_delay_s must be a number in \[0, 600\], got -1/);
    assert.match(text, /colour is not a setting/);
    const prov = buildConfig({ zones: { kr_admin: ['seoul', 'atlantis'] } }, {});
    assert.ok(!prov.ok);
    assert.match(prov.errors.join('\n'), /zones\.kr_admin: unknown province "atlantis"/);
    assert.ok(buildConfig({ zones: { kr_admin: ['Seoul', '23', 'gyeonggi'] } }, {}).ok);
  });

  it('uses the local bus by default and checks the NATS settings', () => {
    const dflt = buildConfig(null, {});
    assert.ok(dflt.ok);
    assert.deepEqual(dflt.config.bus, { kind: 'local', url: 'nats://127.0.0.1:4222', stream: 'SKYWARDEN', subject_prefix: 'skywarden', region: 'default', replicas: null });
    const nats = buildConfig({ bus: { kind: 'nats', url: 'nats://a:4222,nats://b:4222', region: 'seoul-north' } }, { SKYWARDEN__BUS__STREAM: 'SW_PROD', SKYWARDEN__BUS__REPLICAS: '3' });
    assert.ok(nats.ok, nats.ok ? '' : nats.errors.join('; '));
    assert.equal(nats.config.bus.kind, 'nats');
    assert.equal(nats.config.bus.stream, 'SW_PROD');
    assert.equal(nats.config.bus.replicas, 3);
    const bad = buildConfig({ bus: { kind: 'kafka', url: 'http://x', stream: 'a.b', subject_prefix: 'sky.>', region: 'a.b', replicas: 7 } }, {});
    assert.ok(!bad.ok);
    const text = bad.errors.join('\n');
    assert.match(text, /bus\.kind must be one of "local", "nats", got "kafka"/);
    assert.match(text, /bus\.url must be a URL such as nats:\/\/127\.0\.0\.1:4222/);
    assert.match(text, /bus\.stream must be 1-64 letters, digits, _ or -, got "a\.b"/);
    assert.match(text, /bus\.subject_prefix must be dot-separated tokens/);
    assert.match(text, /bus\.region must be letters, digits, _ or - \(one subject token\), got "a\.b"/);
    assert.match(text, /bus\.replicas must be an integer in \[1, 5\] \(the stream's replicas in a NATS cluster\), or null to keep an existing stream's, got 7/);
  });

  it('runs the SQLite store in a worker thread unless store.worker is false', () => {
    const dflt = buildConfig(null, {});
    assert.ok(dflt.ok);
    assert.equal(dflt.config.store.worker, true);
    const off = buildConfig(null, { SKYWARDEN__STORE__WORKER: 'false' });
    assert.ok(off.ok, off.ok ? '' : off.errors.join('; '));
    assert.equal(off.config.store.worker, false);
    const bad = buildConfig({ store: { worker: 'yes' } }, {});
    assert.ok(!bad.ok);
    assert.match(bad.errors.join('\n'), /store\.worker must be true or false, got "yes"/);
  });

  it('reports every 0.25 s and, unless store_every is set, stores track states once a second', () => {
    const dflt = buildConfig(null, {});
    assert.ok(dflt.ok);
    assert.equal(dflt.config.fusion.report_every_s, 0.25);
    assert.equal(dflt.config.fusion.store_every, 4);
    const one = buildConfig({ fusion: { report_every_s: 1 } }, {});
    assert.ok(one.ok);
    assert.equal(one.config.fusion.store_every, 1);
    const half = buildConfig(null, { SKYWARDEN__FUSION__REPORT_EVERY_S: '0.5' });
    assert.ok(half.ok, half.ok ? '' : half.errors.join('; '));
    assert.equal(half.config.fusion.store_every, 2);
    const given = buildConfig({ fusion: { report_every_s: 0.25, store_every: 1 } }, {});
    assert.ok(given.ok);
    assert.equal(given.config.fusion.store_every, 1);
    const env = buildConfig({ fusion: { report_every_s: 0.25 } }, { SKYWARDEN__FUSION__STORE_EVERY: '0' });
    assert.ok(env.ok, env.ok ? '' : env.errors.join('; '));
    assert.equal(env.config.fusion.store_every, 0);
  });

  it('takes the data associator jpda (the default) or gnn, and names any other', () => {
    const dflt = buildConfig(null, {});
    assert.ok(dflt.ok);
    assert.equal(dflt.config.fusion.associator, 'jpda');
    const env = buildConfig(null, { SKYWARDEN__FUSION__ASSOCIATOR: 'gnn' });
    assert.ok(env.ok, env.ok ? '' : env.errors.join('; '));
    assert.equal(env.config.fusion.associator, 'gnn');
    const bad = buildConfig({ fusion: { associator: 'mht' } }, {});
    assert.ok(!bad.ok);
    assert.match(bad.errors.join('; '), /fusion\.associator.*one of "gnn", "jpda"/);
  });

  it('checks list items: users, credentials, webhooks', () => {
    const r = buildConfig(
      {
        auth: { users: [{ name: 'a b', role: 'king' }] },
        credentials: [{ sensor: 'x', token: 'short' }, { gateway: 'g', token: 'long-enough-token' }],
        webhooks: [{ url: 'ftp://x', secret: 's' }],
      },
      {},
    );
    assert.ok(!r.ok);
    const text = r.errors.join('\n');
    assert.match(text, /auth\.users\[0\]\.name/);
    assert.match(text, /auth\.users\[0\]\.role/);
    assert.match(text, /auth\.users\[0\] needs exactly one of password or password_hash/);
    assert.match(text, /credentials\[0\] needs exactly one of token/);
    assert.match(text, /credentials\[1\]\.sensors must list/);
    assert.match(text, /webhooks\[0\]\.url/);
    assert.match(text, /webhooks\[0\]\.secret/);
  });

  it('takes environment overrides, then flags, over the file', () => {
    const r = buildConfig({ http: { port: 9000 }, store: { kind: 'sqlite' } }, { SKYWARDEN__HTTP__PORT: '9100', SKYWARDEN__STORE__KIND: 'postgres', OTHER: 'x' }, { http: { port: 0 } });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    assert.equal(r.config.http.port, 0);
    assert.equal(r.config.store.kind, 'postgres');
    const bad = buildConfig(null, { SKYWARDEN__HTTP__PROT: '1' });
    assert.ok(!bad.ok);
    assert.match(bad.errors[0], /SKYWARDEN__HTTP__PROT: http\.prot is not a setting/);
  });

  it('reads YAML and reports a syntax error with its place', () => {
    const ok = parseConfigText('http:\n  port: 8081\n', 'c.yaml');
    assert.ok(ok.ok);
    assert.deepEqual(ok.value, { http: { port: 8081 } });
    const bad = parseConfigText('http:\n  port: [8081\n', 'c.yaml');
    assert.ok(!bad.ok);
    assert.match(bad.error, /^c\.yaml: .*line/s);
    const top = buildConfig([1, 2], {});
    assert.ok(!top.ok);
    assert.match(top.errors[0], /mapping/);
  });

  it('keeps the standards transports off by default and checks their settings', () => {
    assert.equal(DEFAULT_CONFIG.tak.mode, 'off');
    assert.equal(DEFAULT_CONFIG.tak.udp.mode, 'off');
    assert.equal(DEFAULT_CONFIG.tak.listen.enabled, false);
    assert.equal(DEFAULT_CONFIG.asterix.enabled, false);
    assert.equal(DEFAULT_CONFIG.sapient.enabled, false);
    const ok = buildConfig({ tak: { mode: 'client', port: 8089, tls: { cert: 'c.pem', key: 'k.pem', ca: 'ca.pem' } }, sapient: { enabled: true, nodes: [{ node_id: 'n1', sensor: 's1' }] } }, { SKYWARDEN__ASTERIX__SAC: '12' });
    assert.ok(ok.ok, ok.ok ? '' : ok.errors.join('; '));
    assert.equal(ok.config.asterix.sac, 12);
    const bad = buildConfig({ tak: { mode: 'server', tls: { cert: 'c.pem' }, udp: { ttl: 300 } }, asterix: { sic: 256 }, sapient: { node_id: 'x', nodes: [{ node_id: 'n1', sensor: 's1' }, { node_id: 'n1' }] } }, {});
    assert.ok(!bad.ok);
    const text = bad.errors.join('\n');
    for (const k of ['tak.mode', 'tak.tls', 'tak.udp.ttl', 'asterix.sic', 'sapient.node_id']) assert.match(text, new RegExp(`^${k.replaceAll('.', '\\.')} must be`, 'm'), k);
    const dup = buildConfig({ sapient: { nodes: [{ node_id: 'n1', sensor: 's1' }, { node_id: 'n1', sensor: 's2' }, { sensor: 's3' }] } }, {});
    assert.ok(!dup.ok);
    assert.deepEqual(dup.errors, ['sapient.nodes[1].node_id "n1" is listed twice', "sapient.nodes[2].node_id must be the node's UUID (a non-empty string), got undefined"]);
  });

  it('checks the ASTERIX input section', () => {
    assert.equal(DEFAULT_CONFIG.asterix_in.enabled, false);
    assert.equal(DEFAULT_CONFIG.asterix.status_period_s, 10);
    const ok = buildConfig({ asterix_in: { enabled: true, radars: [{ sac: 1, sic: 2, sensor: 'r1', lat: 37, lon: 127 }], trackers: [{ sac: 3, sic: 4, sensor: 't1' }] } }, {});
    assert.ok(ok.ok, ok.ok ? '' : ok.errors.join('; '));
    const bad = buildConfig(
      { asterix_in: { enabled: true, host: '0.0.0.0', radars: [{ sac: 256, sic: 2, sensor: 'r1', lat: 37 }, { sac: 1, sic: 2, sensor: '' }, { sac: 1, sic: 2, sensor: 'r2' }] } },
      {},
    );
    assert.ok(!bad.ok);
    const text = bad.errors.join('\n');
    for (const re of [
      /^asterix_in\.radars\[0\]\.sac must be an integer in \[0, 255\], got 256/m,
      /^asterix_in\.radars\[0\]: give both lat and lon/m,
      /^asterix_in\.radars\[1\]\.sensor must be a sensor id/m,
      /^asterix_in\.radars\[2\]: SAC 1 SIC 2 is listed twice/m,
      /^asterix_in on "0\.0\.0\.0" reads unauthenticated ASTERIX/m,
    ]) assert.match(text, re);
    assert.ok(buildConfig({ asterix_in: { enabled: true, host: '0.0.0.0', allow_from: '10.0.0.0/8' } }, {}).ok);
    const period = buildConfig({ asterix: { status_period_s: -1 } }, {});
    assert.ok(!period.ok && /^asterix\.status_period_s must be a number in \[0, 3600\]/.test(period.errors[0]!));
  });

  it('docs/server.md documents every setting with the default DEFAULT_CONFIG has (issue 19: the docs had drifted from the code)', () => {
    const md = readFileSync(new URL('../../../docs/server.md', import.meta.url), 'utf8');
    const from = md.indexOf('## Configuration');
    const section = md.slice(from, md.indexOf('\n## ', from + 5));
    const get = (path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), DEFAULT_CONFIG);
    /** A table cell's value as a default, or undefined for one described in words (or derived). */
    const value = (cell: string): unknown => {
      let v = cell.trim();
      if (/^`<.*>.*`$/.test(v)) return undefined;
      if (/^`[^`]*`$/.test(v)) {
        const inner = v.slice(1, -1);
        if (inner === 'true' || inner === 'false' || (inner !== '' && Number.isFinite(Number(inner)))) v = inner;
        else {
          try {
            return JSON.parse(inner) as unknown; // `{}`, `[]`
          } catch {
            return inner;
          }
        }
      }
      if (v === 'none' || v === 'null') return null;
      if (v === 'true' || v === 'false') return v === 'true';
      const size = /^([\d.]+) (MiB|KiB)$/.exec(v);
      if (size) return Number(size[1]) * (size[2] === 'MiB' ? 2 ** 20 : 2 ** 10);
      if (/^-?[\d,]+(\.\d+)?$/.test(v)) return Number(v.replace(/,/g, ''));
      return undefined;
    };
    const documented = new Set<string>();
    const wrong: string[] = [];
    let compared = 0;
    for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
      const [, keyCell, valCell] = row.split('|');
      // keys: `a.b`, `.c` (a sibling of the previous), separated by commas or slashes
      const keys: string[] = [];
      let parent = '';
      for (const k of keyCell.split(/,|\//).map((x) => x.trim().replace(/`/g, ''))) {
        if (k.startsWith('.')) keys.push(parent + k.slice(1));
        else {
          keys.push(k);
          parent = k.includes('.') ? k.slice(0, k.lastIndexOf('.') + 1) : '';
        }
      }
      // values: comma-separated outside backticks (1,000 is a number: a comma without a space)
      const cells: string[] = [];
      let cur = '';
      let tick = false;
      for (let i = 0; i < valCell.length; i++) {
        if (valCell[i] === '`') tick = !tick;
        if (!tick && valCell[i] === ',' && valCell[i + 1] === ' ') {
          cells.push(cur);
          cur = '';
          i++;
          continue;
        }
        cur += valCell[i];
      }
      cells.push(cur);
      keys.forEach((k, i) => {
        documented.add(k);
        const want = value(cells.length === 1 ? cells[0] : (cells[i] ?? ''));
        if (want === undefined) return;
        let have = get(k);
        if (Array.isArray(have) && have.length === 0) have = null; // "none"
        compared++;
        if (JSON.stringify(want) !== JSON.stringify(have)) wrong.push(`${k}: docs say ${JSON.stringify(want)}, DEFAULT_CONFIG has ${JSON.stringify(have)}`);
      });
    }
    assert.deepEqual(wrong, []);
    assert.ok(compared >= 80, `${compared} defaults compared`);
    // every setting is in the table (objects documented as a whole count, e.g. alerts.instructions)
    const missing: string[] = [];
    const walk = (o: Record<string, unknown>, p: string) => {
      for (const [k, v] of Object.entries(o)) {
        const q = p ? `${p}.${k}` : k;
        if (documented.has(q)) continue;
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) walk(v as Record<string, unknown>, q);
        else missing.push(q);
      }
    };
    walk(DEFAULT_CONFIG as unknown as Record<string, unknown>, '');
    assert.deepEqual(missing, [], 'settings not in docs/server.md');
  });

  it('examples/skywarden.production.yaml is a valid configuration (docs/deployment.md)', () => {
    const path = new URL('../../../examples/skywarden.production.yaml', import.meta.url);
    const p = parseConfigText(readFileSync(path, 'utf8'), 'skywarden.production.yaml');
    assert.ok(p.ok, p.ok ? '' : p.error);
    const r = buildConfig(p.value, {});
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.equal(r.config.http.host, '127.0.0.1');
    assert.equal(r.config.alerts.cap_status, 'Actual');
    assert.equal(r.config.mqtt.mode, 'external');
  });
});
