#!/usr/bin/env node
// Load benchmark of the live service (`skywarden serve`, issue 5): starts the CLI as a child
// process on its embedded defaults (SQLite journal with synchronous=full, embedded MQTT
// broker), with 1,000 radars and an ADS-B receiver registered and a gateway credential for
// them, then drives it from this process:
//   HTTP: batches of 500 detections from up to 8 concurrent connections,
//   MQTT: 4 clients publishing QoS 1 messages of 100 detections (up to 8 in flight each),
// each at a steady offered rate stepped up (5k, 10k, 20k, 40k detections/s, STEP_S each).
// The detections are range-bearing plots of 1,000 targets moving across a 40 km square
// (bench/serve-scene.mjs): each radar turns once a second and sees a target at most once a
// scan, at the time its beam passes, where the target is then; the offered rate sets how many
// of the nearest radars see each target (5, 10, 20, 40). The plots are sent as soon as their
// time has come (the service's clock is the wall clock), so the tracker has real work.
// bench/serve-check.mjs runs the same data through the batch tracker and scores it.
// Measured per step: accepted detections/s (acknowledged: 202 / PUBACK), the child's CPU
// (utime+stime from /proc/<pid>/stat) and RSS; overall its peak RSS (VmHWM); and the
// latency from ingest to track event: an ADS-B position of a probe aircraft sent every
// 250 ms over HTTP, to the first `tracks` event on the SSE stream with t >= its t that holds
// the probe's track (raw, minus the reorder delay, and minus the report's due time), with
// its parts: the acknowledgement (journal commit), the wait for the report grid, the time
// after the report fell due; and the service's own histograms of report lateness (due ->
// tracks event written) and of writing a tracks event to the stream.
// Prints a table and writes bench/results/serve.json.
// Usage: npm run bench:serve [-- --quick] [-- --profile] [-- --sync normal] [-- --main-thread-store]
// (--profile: the child runs with --cpu-prof; the top functions by self time are printed and stored
// in the JSON; --main-thread-store: the SQLite store in the service's main thread, store.worker false)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, execSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { createScene, N_RADARS, N_TARGETS } from './serve-scene.mjs';

// More options: --report-every S (the service's fusion.report_every_s), --transports http,mqtt,
// --rates 5000,10000, --legacy (the first version's synthetic data, see serve-scene.mjs).
const argOf = (name, def) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const REPORT_EVERY_S = Number(argOf('--report-every', 'NaN')); // NaN: the service's default
const LEGACY = process.argv.includes('--legacy');

/* global fetch */

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
// --sync normal: the journal without an fsync per commit (survives kill -9, not power loss)
const SYNC = process.argv.includes('--sync') ? process.argv[process.argv.indexOf('--sync') + 1] : 'full';
// --main-thread-store: the journal in the service's main thread (store.worker false; default: a worker thread)
const STORE_WORKER = !process.argv.includes('--main-thread-store');
const RESULT_NAME = `serve${SYNC === 'full' ? '' : '-sync-' + SYNC}${STORE_WORKER ? '' : '-main-thread-store'}.json`;
const STEP_S = quick ? 6 : 12;
const RATES = argOf('--rates', '5000,10000,20000,40000').split(',').map(Number);
const TRANSPORTS = argOf('--transports', 'http,mqtt').split(',');
const HTTP_BATCH = 500;
const HTTP_CONNS = 8;
const MQTT_BATCH = 100;
const MQTT_CLIENTS = 4;
const MQTT_INFLIGHT = 8;
const REORDER_S = 5;
const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

// --- the scene: radars on a grid, an ADS-B receiver for the probe, the targets
const T0 = Date.now() / 1000;
const scene = createScene(T0);
const sensorRows = scene.sensorRows;
/** The plots of the scans whose time has come (JSON texts), for `rate` detections/s. */
function dueDetections(rate) {
  return scene.scanDetections(Date.now() / 1000, Math.max(1, Math.round(rate / N_TARGETS)));
}

// --- the child
const work = mkdtempSync(join(tmpdir(), 'sw-bench-serve-'));
const profDir = join(work, 'prof');
const config = {
  sensors: { list: sensorRows },
  credentials: [
    { gateway: 'gw-bench', sensors: ['rdr-*'], token: 'token-gw-bench' },
    { sensor: 'adsb-1', token: 'token-adsb-1' },
  ],
  auth: { users: [{ name: 'bench', password: 'bench-secret-1', role: 'viewer' }] },
  store: { sync: SYNC, worker: STORE_WORKER },
  fusion: Number.isFinite(REPORT_EVERY_S) ? { reorder_delay_s: REORDER_S, report_every_s: REPORT_EVERY_S } : { reorder_delay_s: REORDER_S },
  log: { level: 'warn' },
};
writeFileSync(join(work, 'config.json'), JSON.stringify(config));
const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
const child = spawn(
  process.execPath,
  [...nodeArgs, join(root, 'packages/cli/bin/skywarden.js'), 'serve', '--config', join(work, 'config.json'), '--port', '0', '--mqtt-port', '0', '--data-dir', join(work, 'data')],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let out = '';
let err = '';
child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
child.stderr.setEncoding('utf8').on('data', (s) => (err += s));
const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
let dead = false;
void exited.then(() => (dead = true));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let ports = null;
for (let i = 0; i < 600 && !ports; i++) {
  if (dead) throw new Error(`skywarden serve exited:\n${out}\n${err}`);
  const h = /^ {2}http: http:\/\/127\.0\.0\.1:(\d+)\//m.exec(out);
  const m = /^ {2}mqtt: mqtt:\/\/127\.0\.0\.1:(\d+)/m.exec(out);
  if (h && m) ports = { http: Number(h[1]), mqtt: Number(m[1]) };
  else await sleep(50);
}
if (!ports) throw new Error(`skywarden serve did not print its ports:\n${out}\n${err}`);
const base = `http://127.0.0.1:${ports.http}`;

function procStat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuS: (Number(f[11]) + Number(f[12])) / CLK_TCK, rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}
async function metricsText() {
  return (await fetch(`${base}/metrics`)).text();
}
/** Sum of a metric's samples (all label sets) in Prometheus text. */
function metricSum(text, name) {
  let v = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) v += Number(m[1]);
  return v;
}
/** Mean and upper quantiles (bucket upper bounds) of a histogram's observations between two scrapes, in ms. */
function histStats(t0, t1, name) {
  const buckets = (text) => {
    const out = new Map();
    for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} ([0-9.e+-]+)$`, 'gm'))) out.set(m[1], Number(m[2]));
    return out;
  };
  const b0 = buckets(t0);
  const b1 = buckets(t1);
  const n = metricSum(t1, `${name}_count`) - metricSum(t0, `${name}_count`);
  if (n <= 0) return { n: 0 };
  const sum = metricSum(t1, `${name}_sum`) - metricSum(t0, `${name}_sum`);
  const q = (f) => {
    for (const [le, c] of b1) if (c - (b0.get(le) ?? 0) >= f * n) return le === '+Inf' ? Infinity : 1000 * Number(le);
    return null;
  };
  return { n, mean: (1000 * sum) / n, p50_le: q(0.5), p99_le: q(0.99) };
}
async function metric(name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

// --- the stream and the probe
const login = await fetch(`${base}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bench', password: 'bench-secret-1' }) });
const { token } = await login.json();
// in a worker thread (bench/serve-probe.mjs): this thread is busy with the load
const probeWorker = new Worker(new URL('./serve-probe.mjs', import.meta.url), { workerData: { base, token, T0 } });
/** The probe worker's records: { probes, streamEvents, streamDrops }. */
const probeState = (msg) =>
  new Promise((resolve) => {
    probeWorker.once('message', resolve);
    probeWorker.postMessage(msg);
  });
const setStep = (step) => probeWorker.postMessage({ step });

// --- load
const sumAcc = { acked: 0, rejected: 0, failed: 0 };
async function httpSend(body, n) {
  try {
    const r = await fetch(`${base}/api/v1/detections`, { method: 'POST', headers: { authorization: 'Basic ' + Buffer.from('gw-bench:token-gw-bench').toString('base64'), 'content-type': 'application/json' }, body });
    const j = await r.json();
    if (r.status === 202) {
      sumAcc.acked += j.accepted + j.duplicates;
      sumAcc.rejected += j.rejected.length;
    } else {
      sumAcc.failed += n;
      if (!httpSend.warned) {
        console.error(`HTTP ${r.status}: ${JSON.stringify(j).slice(0, 300)}`);
        httpSend.warned = true;
      }
    }
  } catch {
    sumAcc.failed += n;
  }
}
const mq = [];
for (let i = 0; i < MQTT_CLIENTS; i++) {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { username: 'gw-bench', password: 'token-gw-bench', reconnectPeriod: 0, clientId: `bench-${i}` });
  c.on('error', () => {});
  mq.push({ client: c, inflight: 0 });
}

async function runStep(transport, rate) {
  const batch = transport === 'http' ? HTTP_BATCH : MQTT_BATCH;
  const slots = transport === 'http' ? HTTP_CONNS : MQTT_CLIENTS * MQTT_INFLIGHT;
  let inflight = 0;
  let offered = 0;
  let sent = 0;
  let skipped = 0; // offered detections not sent: every connection busy (saturation)
  const a0 = { ...sumAcc };
  const s0 = procStat(child.pid);
  const m0 = await metricsText();
  const w0 = performance.now();
  const pending = new Set();
  let rr = 0;
  let ready = [];
  if (!LEGACY) dueDetections(rate); // the scans up to now are history
  while (performance.now() - w0 < STEP_S * 1000) {
    if (LEGACY) {
      const due = Math.floor(((performance.now() - w0) / 1000) * rate) - offered - ready.length;
      if (due >= batch) ready = ready.concat(scene.legacyBatch(due - (due % batch), Date.now() / 1000));
    } else ready = ready.concat(dueDetections(rate));
    let nb = Math.floor(ready.length / batch);
    let taken = 0;
    while (nb-- > 0) {
      offered += batch;
      const rows = ready.slice(taken, taken + batch);
      taken += batch;
      if (inflight >= slots) {
        skipped += batch;
        continue;
      }
      const body = '[' + rows.join(',') + ']';
      inflight++;
      sent += batch;
      let p;
      if (transport === 'http') p = httpSend(body, batch);
      else {
        // the least busy client
        let m = mq[rr++ % mq.length];
        for (const x of mq) if (x.inflight < m.inflight) m = x;
        m.inflight++;
        p = m.client.publishAsync('skywarden/v1/gw-bench/detections', body, { qos: 1 }).then(
          () => {
            sumAcc.acked += batch;
          },
          () => {
            sumAcc.failed += batch;
          },
        );
        p = p.finally(() => m.inflight--);
      }
      const q = p.finally(() => {
        inflight--;
        pending.delete(q);
      });
      pending.add(q);
    }
    ready = ready.slice(taken);
    await sleep(10);
  }
  const w1 = performance.now();
  const s1 = procStat(child.pid);
  const m1 = await metricsText();
  const d = (name) => metricSum(m1, name) - metricSum(m0, name);
  const commits = d('skywarden_journal_commit_seconds_count');
  const ackedInStep = sumAcc.acked - a0.acked;
  await Promise.race([Promise.all(pending), sleep(30000)]);
  const lag = await metric('skywarden_journal_lag_detections');
  const res = {
    transport,
    offered_per_s: rate,
    generated_per_s: offered / ((w1 - w0) / 1000),
    step_s: STEP_S,
    sent_per_s: sent / ((w1 - w0) / 1000),
    accepted_per_s: ackedInStep / ((w1 - w0) / 1000),
    not_sent_busy: skipped,
    rejected: sumAcc.rejected - a0.rejected,
    failed: sumAcc.failed - a0.failed,
    drain_ms: performance.now() - w1,
    child_cpu_pct: (100 * (s1.cpuS - s0.cpuS)) / ((w1 - w0) / 1000),
    child_rss_mb: s1.rssMB,
    reorder_buffer_after: lag,
    commits_per_s: commits / ((w1 - w0) / 1000),
    commit_mean_ms: commits > 0 ? (1000 * d('skywarden_journal_commit_seconds_sum')) / commits : null,
    commit_busy_pct: (100 * d('skywarden_journal_commit_seconds_sum')) / ((w1 - w0) / 1000),
    fusion_busy_pct: (100 * d('skywarden_fusion_step_seconds_sum')) / ((w1 - w0) / 1000),
    fusion_refused_late: d('skywarden_fusion_refused_total'),
    report_late_ms: histStats(m0, m1, 'skywarden_report_late_seconds'),
    stream_tracks_write_ms: histStats(m0, m1, 'skywarden_stream_tracks_seconds'),
    tracks_confirmed: metricSum(m1, 'skywarden_tracks\\{status="confirmed"\\}'),
    load1: loadavg()[0],
  };
  return res;
}

const loadStart = loadavg();
console.log(`skywarden serve load benchmark: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
console.log(`child pid ${child.pid}: ${out.split('\n')[0]}; ${N_RADARS} radars + 1 ADS-B, ${N_TARGETS} targets, reorder delay ${REORDER_S} s, steps of ${STEP_S} s`);
await sleep(3000); // the probe's track forms
const steps = [];
for (const transport of TRANSPORTS) {
  for (const rate of RATES) {
    setStep(`${transport}@${rate}`);
    const r = await runStep(transport, rate);
    setStep(null);
    await sleep(REORDER_S * 1000 + 1500); // the step's probes reach the track reports
    const { probes } = await probeState({ get: true });
    const mine = probes.filter((p) => p.step === `${transport}@${rate}` && p.sentAt !== undefined);
    const raw = mine.filter((p) => p.recvAt !== undefined).map((p) => p.recvAt - p.sentAt);
    const due = mine.filter((p) => p.recvAt !== undefined).map((p) => p.recvAt - (p.eventT + REORDER_S) * 1000);
    const q = (xs, f) => {
      if (xs.length === 0) return null;
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.floor(f * s.length))];
    };
    const seen = mine.filter((p) => p.recvAt !== undefined);
    const ack = seen.map((p) => p.ackAt - p.sentAt);
    const grid = seen.map((p) => 1000 * (p.eventT - p.t));
    r.probes = mine.length;
    r.latency_parts_ms = {
      ack: { p50: q(ack, 0.5), p99: q(ack, 0.99) },
      report_grid_wait: { p50: q(grid, 0.5), p99: q(grid, 0.99) },
      after_due: { p50: q(due, 0.5), p99: q(due, 0.99) },
    };
    r.probes_seen = raw.length;
    r.latency_raw_ms = { p50: q(raw, 0.5), p99: q(raw, 0.99), max: q(raw, 1) };
    r.latency_beyond_delay_ms = { p50: q(raw, 0.5) === null ? null : q(raw, 0.5) - REORDER_S * 1000, p99: q(raw, 0.99) === null ? null : q(raw, 0.99) - REORDER_S * 1000 };
    r.latency_after_due_ms = { p50: q(due, 0.5), p99: q(due, 0.99) };
    steps.push(r);
    const f = (x, d = 0) => (x === null || x === undefined ? '-' : x.toFixed(d));
    console.log(
      `${transport.padEnd(5)} offered ${String(rate).padStart(6)}/s  accepted ${f(r.accepted_per_s).padStart(6)}/s  not sent (busy) ${String(r.not_sent_busy).padStart(7)}  ` +
        `cpu ${f(r.child_cpu_pct).padStart(3)}%  rss ${f(r.child_rss_mb)} MB  probe ${r.probes_seen}/${r.probes}  raw p50/p99 ${f(r.latency_raw_ms.p50)}/${f(r.latency_raw_ms.p99)} ms  ` +
        `beyond delay ${f(r.latency_beyond_delay_ms.p50)}/${f(r.latency_beyond_delay_ms.p99)}  after due ${f(r.latency_after_due_ms.p50)}/${f(r.latency_after_due_ms.p99)}  buffer ${r.reorder_buffer_after}  load ${r.load1.toFixed(2)}\n` +
        `      parts p50/p99: ack ${f(r.latency_parts_ms.ack.p50)}/${f(r.latency_parts_ms.ack.p99)} ms, report grid wait ${f(r.latency_parts_ms.report_grid_wait.p50)}/${f(r.latency_parts_ms.report_grid_wait.p99)}, ` +
        `after due ${f(r.latency_parts_ms.after_due.p50)}/${f(r.latency_parts_ms.after_due.p99)}; service: report late mean ${f(r.report_late_ms.mean, 1)} ms p99 <= ${f(r.report_late_ms.p99_le)} (n ${r.report_late_ms.n}), ` +
        `tracks event write mean ${f(r.stream_tracks_write_ms.mean, 1)} ms p99 <= ${f(r.stream_tracks_write_ms.p99_le)}; generated ${f(r.generated_per_s)}/s\n` +
        `      commits ${f(r.commits_per_s)}/s mean ${f(r.commit_mean_ms, 1)} ms (${f(r.commit_busy_pct)}% of the time), fusion ${f(r.fusion_busy_pct)}% of the time, late-refused ${r.fusion_refused_late}, confirmed tracks ${r.tracks_confirmed}`,
    );
  }
}
const { streamEvents, streamDrops } = await probeState({ stop: true });
const final = procStat(child.pid);
const journalled = await metric('skywarden_journal_last_seq');
for (const m of mq) m.client.end(true);
child.kill('SIGTERM');
const ex = await Promise.race([exited, sleep(60000).then(() => null)]);
if (!ex) child.kill('SIGKILL');

// --- profile: self time by function
let top = null;
if (profile) {
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (file) {
    const prof = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
    const dt = new Map();
    for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
    const self = new Map();
    let total = 0;
    for (const n of prof.nodes) {
      const us = dt.get(n.id) ?? 0;
      total += us;
      const cf = n.callFrame;
      const key = `${cf.functionName || '(anonymous)'} ${cf.url ? cf.url.replace(/^file:\/\//, '').replace(root, '') : ''}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
      self.set(key, (self.get(key) ?? 0) + us);
    }
    top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([fn, us]) => ({ fn, self_pct: (100 * us) / total }));
    console.log('\nchild CPU profile, top functions by self time:');
    for (const x of top) console.log(`  ${x.self_pct.toFixed(1).padStart(5)}%  ${x.fn}`);
  }
}

const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, load_at_start: loadStart, load_at_end: loadavg() },
  setup: {
    store: `sqlite (synchronous=${SYNC}, ${STORE_WORKER ? 'worker thread' : 'main thread'})`,
    mqtt: 'embedded',
    radars: N_RADARS,
    targets: N_TARGETS,
    reorder_delay_s: REORDER_S,
    report_every_s: Number.isFinite(REPORT_EVERY_S) ? REPORT_EVERY_S : 'default',
    data: LEGACY ? 'legacy (one radar per target, plots at the offered rate)' : 'scans (each radar once a second; rate/1000 radars per target)',
    http: { batch: HTTP_BATCH, connections: HTTP_CONNS },
    mqtt_clients: { clients: MQTT_CLIENTS, batch: MQTT_BATCH, inflight_per_client: MQTT_INFLIGHT },
    step_s: STEP_S,
  },
  steps,
  child: { peak_rss_mb: final.hwmMB, exit: ex, journalled_last_seq: journalled, stream_tracks_events: streamEvents, stream_reconnects: streamDrops },
  profile_top: top,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, `bench/results/${RESULT_NAME}`), JSON.stringify(result, null, 2) + '\n');
console.log(`\nchild peak RSS (VmHWM) ${final.hwmMB.toFixed(0)} MB; exit ${JSON.stringify(ex)}; journal last seq ${journalled}; SSE reconnects ${streamDrops}; wrote bench/results/${RESULT_NAME}`);
rmSync(work, { recursive: true, force: true });
process.exit(0);
