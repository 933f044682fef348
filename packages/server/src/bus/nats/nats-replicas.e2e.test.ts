/**
 * The stream's replicas (`bus.replicas`) on a real three-server NATS cluster with JetStream
 * (test-services.ts): what a deployment that survives the loss of a NATS machine needs
 * (docs/deployment.md, "NATS JetStream").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createNatsBus, type NatsBus } from './nats-bus.js';
import { testNatsCluster } from '../../test-services.js';

describe('the stream on a NATS cluster', () => {
  it('bus.replicas 3 makes the stream with three replicas; a start without the setting keeps them; 1 brings them back to one', { timeout: 120_000 }, async () => {
    const cluster = await testNatsCluster(3);
    const id = randomBytes(4).toString('hex');
    const stream = `sw_rep_${id}`;
    const prefix = `swrep${id}`;
    // the cluster elects its JetStream leader a few seconds after the servers listen: the first opening is tried again
    const open = async (replicas?: number): Promise<NatsBus> => {
      const end = Date.now() + 60_000;
      for (;;) {
        try {
          return await createNatsBus({ url: cluster.urls, stream, subjectPrefix: prefix, ...(replicas !== undefined ? { replicas } : {}) });
        } catch (err) {
          if (Date.now() > end) throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    const replicasOf = async (bus: NatsBus) => (await bus.manager.streams.info(stream)).config.num_replicas;

    let bus = await open(3);
    assert.equal(await replicasOf(bus), 3);
    await bus.publish(`${prefix}.detections.x`, [{ seq: 1 }]);
    const info = await bus.manager.streams.info(stream);
    assert.equal(info.state.messages, 1, 'the message is held');
    assert.equal(1 + (info.cluster?.replicas?.length ?? 0), 3, 'a leader and two replicas');
    await bus.close();

    bus = await open();
    assert.equal(await replicasOf(bus), 3, 'a start without the setting keeps the stream\'s replicas');
    await bus.close();

    bus = await open(1);
    assert.equal(await replicasOf(bus), 1);
    assert.equal((await bus.manager.streams.info(stream)).state.messages, 1, 'the messages are kept');
    await bus.close();
  });
});
