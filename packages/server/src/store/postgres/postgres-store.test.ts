import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runStoreConformance, type StoreHarness } from '../conformance.js';
import type { Store } from '../store.js';
import { testPostgres, testPostgresServer } from '../../test-services.js';
import { createPostgresStore, POSTGRES_SCHEMA_VERSION, redactConnectionString, type PostgresStore } from './postgres-store.js';

const url = await testPostgres();

/** Runs one admin statement on its own connection. */
async function admin<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

const freshSchema = (): string => `sw_test_${randomBytes(6).toString('hex')}`;

async function dropSchema(schema: string): Promise<void> {
  await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

function harness(postgis: boolean): () => Promise<StoreHarness> {
  return async () => {
    const schema = freshSchema();
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const s = await createPostgresStore({ connectionString: url, schema, postgis });
      opened.push(s);
      return s;
    };
    try {
      return {
        store: await open(),
        reopen: open,
        cleanup: async () => {
          for (const s of opened) await s.close();
          await dropSchema(schema);
        },
      };
    } catch (e) {
      await dropSchema(schema);
      throw e;
    }
  };
}

/** Null when the test server answers, else why not. */
async function unreachable(): Promise<string | null> {
  try {
    await admin('SELECT 1');
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const why = await unreachable();
if (why !== null) {
  describe('postgres store', () => {
    it('reaches the PostgreSQL test server', () => {
      assert.fail(
        `PostgreSQL test server ${redactConnectionString(url)} is unreachable (${why}). ` +
          'Start PostgreSQL (with PostGIS) or point SKYWARDEN_TEST_PG at one; these tests do not skip.',
      );
    });
  });
} else {
  runStoreConformance('postgres (PostGIS)', harness(true), { gapFreeSeq: false });
  runStoreConformance('postgres (without PostGIS)', harness(false), { gapFreeSeq: false });

  describe('postgres store', () => {
    const withSchema = async (fn: (schema: string) => Promise<void>): Promise<void> => {
      const schema = freshSchema();
      try {
        await fn(schema);
      } finally {
        await dropSchema(schema);
      }
    };

    it('writes PostGIS points (lon, lat, SRID 4326) for rows with a position', () =>
      withSchema(async (schema) => {
        const store = await createPostgresStore({ connectionString: url, schema });
        try {
          assert.equal(store.postgis, true, 'the test database has PostGIS 3 installed: the store must use it');
          await store.appendDetections([
            { t: 1, sensor: 'r1', id: 'p', row: { type: 'position', lat: 37.61, lon: 126.99 }, receivedAt: 1 },
            { t: 2, sensor: 'r1', id: 'b', row: { type: 'bearing', bearing_deg: 10 }, receivedAt: 2 },
          ]);
          await store.appendTrackStates([{ t: 1, track: 'T1', row: { lat: -33.5, lon: 151.25 } }]);
          const d = await admin<{ id: string; x: number | null; y: number | null; srid: number | null }>(
            `SELECT id, ST_X(geom) AS x, ST_Y(geom) AS y, ST_SRID(geom) AS srid FROM "${schema}".detections ORDER BY seq`,
          );
          assert.deepEqual(d, [
            { id: 'p', x: 126.99, y: 37.61, srid: 4326 },
            { id: 'b', x: null, y: null, srid: null },
          ]);
          const tr = await admin<{ x: number; y: number }>(`SELECT ST_X(geom) AS x, ST_Y(geom) AS y FROM "${schema}".track_states`);
          assert.deepEqual(tr, [{ x: 151.25, y: -33.5 }]);
          // The spatial index answers a bounding-box query.
          const near = await admin<{ id: string }>(
            `SELECT id FROM "${schema}".detections WHERE geom && ST_MakeEnvelope(126, 37, 127, 38, 4326)`,
          );
          assert.deepEqual(near, [{ id: 'p' }]);
        } finally {
          await store.close();
        }
      }));

    it('works without PostGIS when told not to use it, and says so', () =>
      withSchema(async (schema) => {
        const store: PostgresStore = await createPostgresStore({ connectionString: url, schema, postgis: false });
        try {
          assert.equal(store.postgis, false);
          const cols = await admin<{ column_name: string }>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'detections' AND column_name = 'geom'",
            [schema],
          );
          assert.deepEqual(cols, []);
          const r = await store.appendDetections([{ t: 1, sensor: 'r1', id: 'p', row: { lat: 1, lon: 2 }, receivedAt: 1 }]);
          assert.equal(typeof r.results[0], 'number');
        } finally {
          await store.close();
        }
      }));

    it('says why it has no PostGIS: a role that may not create the extension; the service warns, or refuses to start under store.postgis require', async () => {
      // a login role owning a database without PostGIS: CREATE EXTENSION postgis needs a superuser
      const tag = randomBytes(4).toString('hex');
      const role = `sw_nogis_${tag}`;
      const db = `sw_nogis_${tag}`;
      await admin(`CREATE ROLE ${role} LOGIN`);
      await admin(`CREATE DATABASE ${db} OWNER ${role}`);
      const u = new URL(url);
      u.username = role;
      u.pathname = `/${db}`;
      try {
        const store = await createPostgresStore({ connectionString: u.toString() });
        try {
          assert.equal(store.postgis, false);
          assert.match(store.postgisMissing ?? '', /CREATE EXTENSION postgis failed \(permission denied.*\): a superuser can run it once in the database/);
        } finally {
          await store.close();
        }
        const { startServer } = await import('../../server.js');
        const { quietLogger, smallSceneConfig, tempDir } = await import('../../testing.js');
        const tmp = tempDir('sw-nogis-');
        try {
          const { config } = smallSceneConfig({ dataDir: tmp.dir });
          const pgConfig = (postgis: string) => ({ ...config, store: { kind: 'postgres', url: u.toString(), schema: 'skywarden', postgis } });
          await assert.rejects(startServer({ config: pgConfig('require'), logger: quietLogger() }), /store\.postgis is require, but PostGIS cannot be used: CREATE EXTENSION postgis failed/);
          const lines: string[] = [];
          const pino = (await import('pino')).default;
          const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
          const srv = await startServer({ config: pgConfig('prefer'), logger });
          try {
            const warned = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /PostgreSQL store without PostGIS/.test(l.msg));
            assert.ok(warned && warned.level === 40, `a warning at start: ${lines.join('')}`);
            assert.match(warned.msg, /set store\.postgis: off to silence this, or require to refuse to start/);
          } finally {
            await srv.close();
          }
        } finally {
          tmp.cleanup();
        }
      } finally {
        await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await admin(`DROP ROLE IF EXISTS ${role}`);
      }
    });

    it('records its schema version and refuses a newer one', () =>
      withSchema(async (schema) => {
        await (await createPostgresStore({ connectionString: url, schema })).close();
        assert.deepEqual(await admin(`SELECT version FROM "${schema}".schema_version`), [{ version: POSTGRES_SCHEMA_VERSION }]);
        await admin(`UPDATE "${schema}".schema_version SET version = $1`, [POSTGRES_SCHEMA_VERSION + 1]);
        await assert.rejects(createPostgresStore({ connectionString: url, schema }), new RegExp(`version ${POSTGRES_SCHEMA_VERSION + 1}, newer than this code`));
      }));

    it('lets two store objects on one schema append at once, with distinct increasing numbers', () =>
      withSchema(async (schema) => {
        const a = await createPostgresStore({ connectionString: url, schema });
        const b = await createPostgresStore({ connectionString: url, schema });
        try {
          const batch = (who: string, k: number) =>
            Array.from({ length: 200 }, (_, i) => ({ t: i, sensor: who, id: `${k}-${i}`, row: { i }, receivedAt: i }));
          const rs = await Promise.all([0, 1, 2, 3].flatMap((k) => [a.appendDetections(batch('a', k)), b.appendDetections(batch('b', k))]));
          const seqs = rs.flatMap((r) => r.results);
          assert.ok(seqs.every((s) => typeof s === 'number'));
          assert.equal(new Set(seqs).size, 1600);
          assert.equal(await a.countDetections(), 1600);
          const back = await b.readJournal(0, 5000);
          assert.equal(back.length, 1600);
          for (let i = 1; i < back.length; i++) assert.ok(back[i].seq > back[i - 1].seq);
        } finally {
          await a.close();
          await b.close();
        }
      }));

    it('rejects a bad schema name', async () => {
      await assert.rejects(createPostgresStore({ connectionString: url, schema: 'x; drop table y' }), /schema is "x; drop table y"/);
    });

    it('fails with the address (without password) when the server is unreachable', async () => {
      const bad = 'postgres://postgres:secret@127.0.0.1:1/test';
      await assert.rejects(createPostgresStore({ connectionString: bad }), (e: Error) => {
        assert.match(e.message, /cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test/);
        assert.doesNotMatch(e.message, /secret/);
        return true;
      });
    });
  });

  describe('postgres store through server restarts', () => {
    it('survives 5 fast restarts of PostgreSQL during appends and reads (57P01 admin_shutdown): no crash, no acknowledged row lost, working again after each', async (t) => {
      const srv = await testPostgresServer();
      const store = await createPostgresStore({ connectionString: srv.url, schema: freshSchema(), postgis: false });
      const acked = new Set<string>();
      let failures = 0;
      let stop = false;
      let n = 0;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const input = (id: string) => ({ t: 1_764_000_000 + n, sensor: 'r1', id, row: { t: 1_764_000_000 + n, sensor: 'r1', id, type: 'position', lat: 37.5, lon: 127, alt_m: 100 }, receivedAt: 1_764_000_000 + n });
      // two writers and a reader keep connections checked out while the server goes away
      const writer = async (w: string) => {
        while (!stop) {
          const ids = [`${w}-${n++}`, `${w}-${n++}`];
          try {
            const r = await store.appendDetections(ids.map(input));
            r.results.forEach((x, i) => {
              if (typeof x === 'number') acked.add(ids[i]);
            });
          } catch {
            failures++;
            await sleep(20);
          }
        }
      };
      const reader = async () => {
        while (!stop) await store.readJournal(0, 100).catch(() => sleep(20));
      };
      const loops = [writer('a'), writer('b'), reader()];
      // 5 restarts; `npm run test:faults` runs 20
      const restarts = Number(process.env.SKYWARDEN_PG_RESTARTS ?? 5);
      for (let k = 0; k < restarts; k++) {
        await sleep(400);
        await srv.restart();
      }
      // working again: an append goes through after the last restart
      let again = false;
      for (let i = 0; i < 100 && !again; i++) {
        again = await store.appendDetections([input(`after-${i}`)]).then(() => true, () => false);
        if (!again) await sleep(100);
      }
      stop = true;
      await Promise.all(loops);
      assert.ok(again, 'appends work after the restarts');
      const stored = new Set((await store.readJournal(0, 1_000_000)).map((e) => e.id as string));
      const lost = [...acked].filter((id) => !stored.has(id));
      t.diagnostic(`acknowledged ${acked.size}, failed appends while the server was down ${failures}, lost ${lost.length}`);
      assert.ok(acked.size > 20, `${acked.size} appends acknowledged`);
      assert.ok(failures > 0, 'the restarts were felt (appends failed meanwhile)');
      assert.deepEqual(lost, [], 'no acknowledged row lost');
      await store.close();
    });
  });
}
