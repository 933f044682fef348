// The probe and the event-stream reader of the serve load benchmark (bench/serve.mjs), in a
// worker thread of their own: the main thread is busy generating and sending the load, and
// its event loop would otherwise add its own delay to the latency measured.
// In: workerData { base, token, T0 }; messages { step } (the step now running, or null),
// { get: true } (answered with { probes, streamEvents, streamDrops }), { stop: true }.
import { parentPort, workerData } from 'node:worker_threads';
import { bounce, HALF as half, toLat, toLon } from './serve-scene.mjs';

/* global fetch, TextDecoder */

const { base, token, T0 } = workerData;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let dead = false;
parentPort.on('message', (m) => {
  if ('step' in m) currentStep = m.step;
  if (m.get) parentPort.postMessage({ probes, streamEvents, streamDrops });
  if (m.stop) {
    probing = false;
    void probeLoop.then(() => {
      dead = true;
      parentPort.postMessage({ probes, streamEvents, streamDrops, stopped: true });
      process.exit(0);
    });
  }
});
let currentStep = null;
const probes = []; // { t, sentAt, ackAt, recvAt?, eventT?, step }
let probeOpen = 0; // index of the first probe not yet seen in a tracks event
let streamEvents = 0;
let streamDrops = 0;
// the stream; the service drops a client that does not keep up (large track events while
// this process is busy sending): reconnect and count it
(async () => {
  while (!dead) {
    let sse;
    try {
      sse = await fetch(`${base}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` } });
    } catch {
      await sleep(200);
      continue;
    }
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of sse.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!frame.startsWith('event: tracks')) continue;
          const recvAt = performance.now() + performance.timeOrigin;
          streamEvents++;
          const data = frame.slice(frame.indexOf('\ndata: ') + 7);
          // cheap test first: parse only events that mention the probe
          if (!data.includes('"PROBE1"')) continue;
          const ev = JSON.parse(data);
          if (!ev.tracks.some((x) => x.cooperative_id === 'PROBE1')) continue;
          while (probeOpen < probes.length && probes[probeOpen].t <= ev.t) {
            const p = probes[probeOpen++];
            if (p.sentAt !== undefined) {
              p.recvAt = recvAt;
              p.eventT = ev.t;
            }
          }
        }
      }
    } catch {
      /* dropped, or the child is gone */
    }
    if (!dead) streamDrops++;
  }
})();
const probeAuth = 'Basic ' + Buffer.from('adsb-1:token-adsb-1').toString('base64');
let probeN = 0;
let probing = true;
const probeLoop = (async () => {
  while (probing && !dead) {
    const nowMs = Date.now();
    const t = nowMs / 1000;
    const x = -5000 + 50 * (t - T0);
    const row = { t, sensor: 'adsb-1', type: 'position', lat: toLat(bounce(x, half)), lon: toLon(0), pos_sd_m: 15, alt_m: 1500, alt_sd_m: 10, target: 'PROBE1', id: `probe-${probeN++}` };
    const p = { t, sentAt: undefined, ackAt: undefined, step: currentStep };
    probes.push(p);
    try {
      const r = await fetch(`${base}/api/v1/detections`, { method: 'POST', headers: { authorization: probeAuth, 'content-type': 'application/json' }, body: JSON.stringify([row]) });
      await r.arrayBuffer();
      if (r.status === 202) {
        p.sentAt = nowMs; // latency counts from the send
        p.ackAt = Date.now();
      }
    } catch {
      /* child gone */
    }
    await sleep(250);
  }
})();

