#!/usr/bin/env node
// Publish throughput of the NATS JetStream bus: batches of `--batch` messages (each a
// detection-like JSON row of ~200 bytes), each `publish` awaited (it resolves when the stream
// has acknowledged every message of the batch, file storage), one after the other; and the
// service's format, where one message carries a whole journalled batch (`--batch` rows).
// Measured on the compiled bus (run `npx tsc -b` first). Reports messages and detections
// per second and the per-batch publish time (p50, p99).
//
// Usage: node packages/server/bench/bus.bench.mjs [--n 200000] [--batch 500]
// NATS: SKYWARDEN_TEST_NATS (default nats://127.0.0.1:4222); the bench uses a fresh stream
// sw_bench_<random> and deletes it afterwards.
import { randomBytes } from 'node:crypto';
import { createNatsBus } from '../dist/bus/nats/nats-bus.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const n = Number(arg('n', 200_000));
const batchSize = Number(arg('batch', 500));
const url = process.env.SKYWARDEN_TEST_NATS ?? 'nats://127.0.0.1:4222';
const id = randomBytes(4).toString('hex');
const stream = `sw_bench_${id}`;
const prefix = `swbench${id}`;

const row = (i) => ({ seq: i + 1, id: `radar-${i % 17}:${i}`, row: { t: 1764000000 + i / 1000, sensor: `radar-${i % 17}`, id: String(i), type: 'range_bearing', range_m: 1000 + (i % 5000), bearing_deg: (i * 7) % 360, sensor_lat: 37.5, sensor_lon: 127.0 } });
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const bus = await createNatsBus({ url, stream, subjectPrefix: prefix, maxBytes: 4 * 1024 ** 3 });
try {
  console.log(`NATS JetStream at ${url}, stream ${stream} (file storage), ${n} rows, batches of ${batchSize}; row ~${JSON.stringify(row(12345)).length} bytes`);
  for (const mode of ['message-per-row', 'message-per-batch']) {
    const subject = `${prefix}.detections.${mode}`;
    const times = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i += batchSize) {
      const rows = [];
      for (let k = i; k < Math.min(n, i + batchSize); k++) rows.push(row(k));
      const b0 = performance.now();
      await bus.publish(subject, mode === 'message-per-row' ? rows : [rows]);
      times.push(performance.now() - b0);
    }
    const s = (performance.now() - t0) / 1000;
    const msgs = mode === 'message-per-row' ? n : times.length;
    console.log(
      `${mode.padEnd(18)} ${Math.round(n / s).toLocaleString('en')} rows/s, ${Math.round(msgs / s).toLocaleString('en')} messages/s; publish of a batch p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms (${times.length} batches, ${s.toFixed(2)} s)`,
    );
  }
  const info = await bus.manager.streams.info(stream);
  console.log(`stream: ${info.state.messages} messages, ${(info.state.bytes / 1024 / 1024).toFixed(1)} MiB`);
} finally {
  await bus.manager.streams.delete(stream).catch(() => undefined);
  await bus.close();
}
