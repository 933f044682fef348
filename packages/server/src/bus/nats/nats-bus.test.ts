/**
 * The JetStream bus against a NATS server with JetStream that the test starts on a free port
 * (test-services.ts; SKYWARDEN_TEST_NATS names an existing one instead). Each test has its own
 * stream and subject prefix, deleted afterwards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runBusConformance } from '../conformance.js';
import { createNatsBus, type NatsBus } from './nats-bus.js';
import { testNats } from '../../test-services.js';

const NATS_URL = await testNats();

async function open(stream: string, prefix: string, ackWaitMs = 1500): Promise<NatsBus> {
  try {
    return await createNatsBus({ url: NATS_URL, stream, subjectPrefix: prefix, ackWaitMs, maxAgeS: 3600, maxBytes: 256 * 1024 * 1024, connectTimeoutMs: 3000 });
  } catch (err) {
    throw new Error(`these tests need NATS with JetStream at ${NATS_URL} (set SKYWARDEN_TEST_NATS): ${(err as Error).message}`);
  }
}

runBusConformance('nats', async () => {
  const id = randomBytes(4).toString('hex');
  const stream = `sw_test_${id}`;
  const prefix = `swtest${id}`;
  const buses: NatsBus[] = [await open(stream, prefix)];
  return {
    bus: buses[0],
    subject: (token) => `${prefix}.detections.${token}`,
    reopen: async () => {
      const b = await open(stream, prefix);
      buses.push(b);
      return b;
    },
    cleanup: async () => {
      const admin = await open(stream, prefix);
      await admin.manager.streams.delete(stream);
      await admin.close();
      for (const b of buses) await b.close();
    },
  };
});

describe('nats bus', () => {
  it('ensures its stream: file storage, subjects <prefix>.>, limits; reopening keeps the messages', async () => {
    const id = randomBytes(4).toString('hex');
    const stream = `sw_test_${id}`;
    const prefix = `swtest${id}.v1`;
    const bus = await open(stream, prefix);
    try {
      const info = await bus.manager.streams.info(stream);
      assert.deepEqual(info.config.subjects, [`${prefix}.>`]);
      assert.equal(info.config.storage, 'file');
      assert.equal(info.config.max_bytes, 256 * 1024 * 1024);
      await bus.publish(`${prefix}.detections.r1`, [{ i: 1 }, { i: 2 }]);
      await assert.rejects(bus.publish(`other.detections.r1`, [{ i: 3 }]), /outside the bus's prefix/);
      const again = await open(stream, prefix);
      assert.equal((await again.manager.streams.info(stream)).state.messages, 2);
      await again.close();
    } finally {
      await bus.manager.streams.delete(stream);
      await bus.close();
    }
  });

  it('says clearly when the server is unreachable', async () => {
    await assert.rejects(createNatsBus({ url: 'nats://127.0.0.1:1', stream: 's', subjectPrefix: 'p', connectTimeoutMs: 500 }), /NATS at nats:\/\/127\.0\.0\.1:1 unreachable/);
  });
});
