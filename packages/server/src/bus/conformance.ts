/**
 * The conformance suite every {@link Bus} implementation runs (node:test). Each test gets a
 * fresh bus from the factory (its own subjects; for a server-backed bus its own stream) and
 * cleans it up afterwards. The durable tests run only where the bus says `durable`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BusClosedError, type Bus, type BusMessage } from './bus.js';

export interface BusHarness {
  bus: Bus;
  /** A subject of this harness, unique to it (`<prefix>.detections.<token>`). */
  subject(token: string): string;
  /** A new bus on the same backing (a durable bus: the same stream), as after a restart. */
  reopen(): Promise<Bus>;
  /** Closes every bus the harness opened and removes what it made (streams). */
  cleanup(): Promise<void>;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
const values = (ms: BusMessage[]) => ms.map((m) => (m.json<{ i: number }>()).i);

export function runBusConformance(name: string, factory: () => Promise<BusHarness>): void {
  const withBus = async (fn: (h: BusHarness) => Promise<void>): Promise<void> => {
    const h = await factory();
    try {
      await fn(h);
    } finally {
      await h.cleanup();
    }
  };

  describe(`bus conformance: ${name}`, () => {
    it('delivers one subject in publish order, with increasing seqs', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('order');
        const got: BusMessage[] = [];
        await bus.subscribe(s, (m) => void got.push(m));
        await bus.publish(s, range(1, 40).map((i) => ({ i })));
        await bus.publish(s, [{ i: 41 }]);
        await bus.publish(s, range(42, 59).map((i) => ({ i })));
        await until(() => got.length >= 100, 10000, '100 messages');
        await sleep(50);
        assert.deepEqual(values(got), range(1, 100));
        for (let k = 1; k < got.length; k++) assert.ok(got[k].seq > got[k - 1].seq, `seq ${got[k].seq} after ${got[k - 1].seq}`);
        assert.ok(got.every((m) => m.subject === s && m.deliveries === 1));
      }));

    it('keeps subjects apart, each in order', () =>
      withBus(async ({ bus, subject }) => {
        const a = subject('north');
        const b = subject('south');
        const ga: BusMessage[] = [];
        const gb: BusMessage[] = [];
        await bus.subscribe(a, (m) => void ga.push(m));
        await bus.subscribe(b, (m) => void gb.push(m));
        for (let k = 0; k < 10; k++) {
          await Promise.all([bus.publish(a, [{ i: k * 2 }, { i: k * 2 + 1 }]), bus.publish(b, [{ i: 100 + k }])]);
        }
        await bus.publish(subject('elsewhere'), [{ i: -1 }]);
        await until(() => ga.length >= 20 && gb.length >= 10, 10000, 'both subjects');
        await sleep(50);
        assert.deepEqual(values(ga), range(0, 20));
        assert.deepEqual(values(gb), range(100, 10));
        assert.ok(ga.every((m) => m.subject === a) && gb.every((m) => m.subject === b));
      }));

    it('carries byte messages as they are, and JSON values', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('bytes');
        const got: BusMessage[] = [];
        await bus.subscribe(s, (m) => void got.push(m));
        const bytes = [new Uint8Array([0, 1, 2, 255]), new TextEncoder().encode('{"i":7}')];
        await bus.publish(s, bytes);
        await bus.publish(s, [{ i: 8, nested: { a: [1, 'x', null] } }]);
        await until(() => got.length >= 3, 10000, 'three messages');
        assert.deepEqual([...got[0].data], [0, 1, 2, 255]);
        assert.deepEqual(got[1].json(), { i: 7 });
        assert.deepEqual(got[2].json(), { i: 8, nested: { a: [1, 'x', null] } });
        assert.deepEqual(JSON.parse(new TextDecoder().decode(got[2].data)), { i: 8, nested: { a: [1, 'x', null] } });
      }));

    it('at-least-once: a handler that throws gets the same message again before the next one', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('retry');
        const calls: { i: number; deliveries: number }[] = [];
        let thrown = false;
        await bus.subscribe(s, (m) => {
          const i = m.json<{ i: number }>().i;
          calls.push({ i, deliveries: m.deliveries });
          if (i === 3 && !thrown) {
            thrown = true;
            throw new Error('transient');
          }
        });
        await bus.publish(s, range(1, 6).map((i) => ({ i })));
        await until(() => calls.length >= 7, 10000, 'seven handler calls');
        await sleep(50);
        assert.deepEqual(calls, [
          { i: 1, deliveries: 1 },
          { i: 2, deliveries: 1 },
          { i: 3, deliveries: 1 },
          { i: 3, deliveries: 2 },
          { i: 4, deliveries: 1 },
          { i: 5, deliveries: 1 },
          { i: 6, deliveries: 1 },
        ]);
      }));

    it('at-least-once with async handlers: a rejected promise redelivers; order holds while a handler is pending', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('async');
        const done: number[] = [];
        let failed = false;
        await bus.subscribe(s, async (m) => {
          const i = m.json<{ i: number }>().i;
          await sleep(i % 3 === 0 ? 10 : 0);
          if (i === 4 && !failed) {
            failed = true;
            throw new Error('transient');
          }
          done.push(i);
        });
        await bus.publish(s, range(1, 10).map((i) => ({ i })));
        await until(() => done.length >= 10, 10000, 'ten handled');
        assert.deepEqual(done, range(1, 10));
      }));

    it('gives a message up after maxDeliver failed calls, tells onError, and goes on', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('poison');
        const calls: number[] = [];
        const errors: { err: unknown; i: number | null }[] = [];
        await bus.subscribe(
          s,
          (m) => {
            const i = m.json<{ i: number }>().i;
            calls.push(i);
            if (i === 2) throw new Error('poison');
          },
          { maxDeliver: 3, onError: (err, m) => errors.push({ err, i: m ? m.json<{ i: number }>().i : null }) },
        );
        await bus.publish(s, [{ i: 1 }, { i: 2 }, { i: 3 }]);
        await until(() => calls.includes(3), 10000, 'the message after the poison one');
        await sleep(100);
        assert.deepEqual(calls, [1, 2, 2, 2, 3]);
        assert.equal(errors.length, 1);
        assert.equal(errors[0].i, 2);
        assert.match((errors[0].err as Error).message, /poison/);
      }));

    it('fans out: two subscriptions on one subject both get every message in order', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('fanout');
        const g1: BusMessage[] = [];
        const g2: BusMessage[] = [];
        await bus.subscribe(s, (m) => void g1.push(m));
        await bus.subscribe(s, (m) => void g2.push(m));
        await bus.publish(s, range(0, 50).map((i) => ({ i })));
        await until(() => g1.length >= 50 && g2.length >= 50, 10000, 'both subscribers');
        await sleep(50);
        assert.deepEqual(values(g1), range(0, 50));
        assert.deepEqual(values(g2), range(0, 50));
      }));

    it('unsubscribe stops delivery; the others go on', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('unsub');
        const g1: BusMessage[] = [];
        const g2: BusMessage[] = [];
        const sub1 = await bus.subscribe(s, (m) => void g1.push(m));
        await bus.subscribe(s, (m) => void g2.push(m));
        await bus.publish(s, range(0, 5).map((i) => ({ i })));
        await until(() => g1.length >= 5 && g2.length >= 5, 10000, 'the first five');
        await sub1.unsubscribe();
        await bus.publish(s, range(5, 5).map((i) => ({ i })));
        await until(() => g2.length >= 10, 10000, 'the second five');
        await sleep(200);
        assert.deepEqual(values(g1), range(0, 5));
        assert.deepEqual(values(g2), range(0, 10));
      }));

    it('close stops delivery; publish and subscribe after close reject; close is idempotent', () =>
      withBus(async ({ bus, subject, reopen }) => {
        const s = subject('close');
        const got: BusMessage[] = [];
        await bus.subscribe(s, (m) => void got.push(m));
        await bus.publish(s, [{ i: 1 }]);
        await until(() => got.length >= 1, 10000, 'one message');
        await bus.close();
        await bus.close();
        await assert.rejects(bus.publish(s, [{ i: 2 }]), BusClosedError);
        await assert.rejects(bus.subscribe(s, () => undefined), BusClosedError);
        // another bus publishing on the subject does not reach the closed bus's handler
        const other = await reopen();
        await other.publish(s, [{ i: 3 }]);
        await sleep(200);
        assert.deepEqual(values(got), [1]);
      }));

    it('a large batch: 10,000 messages in one publish, all delivered in order', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('large');
        const got: number[] = [];
        await bus.subscribe(s, (m) => void got.push(m.json<{ i: number }>().i));
        const n = 10000;
        await bus.publish(s, range(0, n).map((i) => ({ i, sensor: `radar-${i % 7}`, t: 1764000000 + i / 100, bearing_deg: i % 360 })));
        await until(() => got.length >= n, 60000, `${n} messages`);
        await sleep(50);
        assert.equal(got.length, n);
        assert.deepEqual(got, range(0, n));
      }));

    it('from: "all" gets what the bus holds (durable) or nothing (not durable)', () =>
      withBus(async ({ bus, subject }) => {
        const s = subject('history');
        await bus.publish(s, range(0, 5).map((i) => ({ i })));
        const got: BusMessage[] = [];
        await bus.subscribe(s, (m) => void got.push(m), { from: 'all' });
        await bus.publish(s, [{ i: 5 }]);
        await until(() => got.length >= (bus.durable ? 6 : 1), 10000, 'the messages');
        await sleep(100);
        assert.deepEqual(values(got), bus.durable ? range(0, 6) : [5]);
        if (bus.durable) {
          // from a sequence: that message and the ones after it
          const fromSeq: BusMessage[] = [];
          await bus.subscribe(s, (m) => void fromSeq.push(m), { from: got[3].seq });
          await until(() => fromSeq.length >= 3, 10000, 'from a sequence');
          assert.deepEqual(values(fromSeq), [3, 4, 5]);
        }
      }));

    it('durable: a durable subscription closed and reopened resumes after its last ack', { skip: false }, () =>
      withBus(async ({ bus, subject, reopen }) => {
        if (!bus.durable) return;
        const s = subject('durable');
        const first: number[] = [];
        const sub = await bus.subscribe(s, (m) => void first.push(m.json<{ i: number }>().i), { durable: 'fusion-1', from: 'all' });
        await bus.publish(s, range(0, 5).map((i) => ({ i })));
        await until(() => first.length >= 5, 10000, 'the first five');
        await sub.unsubscribe();
        await bus.close();
        // published while no one listens
        const b2 = await reopen();
        await b2.publish(s, range(5, 5).map((i) => ({ i })));
        await b2.close();
        const b3 = await reopen();
        const second: number[] = [];
        await b3.subscribe(s, (m) => void second.push(m.json<{ i: number }>().i), { durable: 'fusion-1', from: 'all' });
        await until(() => second.length >= 5, 10000, 'the five published while closed');
        await sleep(200);
        assert.deepEqual(first, range(0, 5));
        assert.deepEqual(second, range(5, 5));
      }));

    it('durable: a message handed out but not acknowledged when the subscriber stops is delivered again', () =>
      withBus(async ({ bus, subject, reopen }) => {
        if (!bus.durable) return;
        const s = subject('unacked');
        const first: number[] = [];
        const sub = await bus.subscribe(
          s,
          (m) => {
            const i = m.json<{ i: number }>().i;
            first.push(i);
            if (i === 2) return new Promise<void>(() => undefined); // never resolves: no ack (a crashed worker)
          },
          { durable: 'stuck', from: 'all' },
        );
        await bus.publish(s, range(0, 4).map((i) => ({ i })));
        await until(() => first.includes(2), 10000, 'the stuck message');
        await sub.unsubscribe();
        const b2 = await reopen();
        const second: number[] = [];
        await b2.subscribe(s, (m) => void second.push(m.json<{ i: number }>().i), { durable: 'stuck' });
        await until(() => second.includes(2) && second.includes(3), 20000, 'the unacknowledged messages again');
        assert.deepEqual(first, [0, 1, 2]);
        assert.ok(!second.includes(0) && !second.includes(1), `acknowledged messages came again: ${second.join(',')}`);
      }));
  });
}
