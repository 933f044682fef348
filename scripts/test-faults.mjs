#!/usr/bin/env node
// The fault and abuse suite (issue 15), longer than `npm test` allows: every test below also
// runs in `npm test` at a smaller size; here with
//   SKYWARDEN_KILL_ROUNDS=20   kill -9 of `skywarden serve` during HTTP and MQTT streams (then SIGTERM)
//   SKYWARDEN_PG_RESTARTS=20   PostgreSQL restarts during appends and reads (57P01)
//   SKYWARDEN_NATS_RESTARTS=10, SKYWARDEN_MQTT_RESTARTS=10   bus and broker restarts under load
//   SKYWARDEN_FUZZ_SCALE=50    decoders fuzzed (CoT, ASTERIX CAT062, SAPIENT, interchange rows):
//                              about 1,000,000 mutated inputs for the detection rows
// and the hostile-input, quarantine and start-up tests; then the flood and restart benchmarks
// (an event-loop stall under 20,000 copies; time to healthy on a 100,000-row journal).
// Each test prints its figures as diagnostics (acknowledged vs stored, restarts, inputs).
// Usage: npm run test:faults [-- --quick]   (--quick: the npm test sizes, for a smoke run)
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const env = {
  ...process.env,
  SKYWARDEN_KILL_ROUNDS: process.env.SKYWARDEN_KILL_ROUNDS ?? (quick ? '4' : '20'),
  SKYWARDEN_PG_RESTARTS: process.env.SKYWARDEN_PG_RESTARTS ?? (quick ? '5' : '20'),
  SKYWARDEN_FUZZ_SCALE: process.env.SKYWARDEN_FUZZ_SCALE ?? (quick ? '1' : '50'),
  SKYWARDEN_NATS_RESTARTS: process.env.SKYWARDEN_NATS_RESTARTS ?? (quick ? '2' : '10'),
  SKYWARDEN_MQTT_RESTARTS: process.env.SKYWARDEN_MQTT_RESTARTS ?? (quick ? '2' : '10'),
};
const run = (what, args) => {
  console.log(`\n=== ${what}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
  console.log(`=== ${what}: ${r.status === 0 ? 'passed' : `FAILED (exit ${r.status})`} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return r.status === 0;
};
const results = [
  run(`tests (kill rounds ${env.SKYWARDEN_KILL_ROUNDS}, PostgreSQL restarts ${env.SKYWARDEN_PG_RESTARTS}, NATS restarts ${env.SKYWARDEN_NATS_RESTARTS}, Mosquitto restarts ${env.SKYWARDEN_MQTT_RESTARTS}, fuzz scale ${env.SKYWARDEN_FUZZ_SCALE})`, [
    'scripts/run-tests.mjs',
    'durability.e2e',
    'postgres-store.test',
    'hostile-input.e2e',
    'quarantine.e2e',
    'start-replay.e2e',
    'nats-restart.e2e',
    'mosquitto-restart.e2e',
    'outbox.test',
    'disk-fault.e2e',
    'fuzz.test',
    'tracker-fault.test',
    'spatial-grid.test',
  ]),
  run('bench: a flood of 20,000 copies', ['bench/flood.mjs', '20000', 'spread', '0.0002']),
  run('bench: start-up on a 100,000-row journal', ['bench/restart.mjs', '--rows', quick ? '20000' : '100000']),
];
process.exit(results.every(Boolean) ? 0 : 1);
