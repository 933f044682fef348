/**
 * The store as a publisher of the picture: track states (every `storeEvery`-th report, queued
 * and written by `flush`), and every alert event as an alert row with its CAP message. Not
 * during the start-up replay (those are stored already). Writes are chained in order; a
 * failed write is logged, never fatal.
 */
import type { PictureEvent } from '@skywarden/core';
import { trackReportToRow } from '@skywarden/formats';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { alertWire, toTrackWire } from '../picture/live-picture.js';
import type { CapStage } from './cap.js';

export function createStorePublisher(o: { store: Store; storeEvery: number; cap: CapStage; log: Logger; replaying: () => boolean }) {
  let reportCount = 0;
  let pending: { t: number; track: string; row: Record<string, unknown> }[] = [];
  let chain: Promise<void> = Promise.resolve();
  const append = (what: string, fn: () => Promise<unknown>) => {
    chain = chain.then(() => fn().then(() => undefined, (err: unknown) => o.log.error({ err }, `storing ${what} failed`)));
  };
  return {
    onEvent(e: PictureEvent): void {
      if (o.replaying()) return;
      if (e.type === 'tracks') {
        if (o.storeEvery === 0 || reportCount++ % o.storeEvery !== 0) return;
        for (const r of e.reports) {
          const w = toTrackWire(r, e.marks.get(r.trackId));
          const row = { ...(trackReportToRow(r) as unknown as Record<string, unknown>), label: w.label, threat: w.threat, affiliation: w.affiliation, sensors: w.sensors };
          pending.push({ t: e.t, track: r.trackId, row });
        }
      } else if (e.type === 'alert') {
        const msg = o.cap.messageOf(e);
        const row: Record<string, unknown> = { ...alertWire(e.change) };
        if (e.action === 'updated') row.update = true;
        if (msg) Object.assign(row, { cap_identifier: msg.identifier, cap_msg_type: msg.msgType, cap_xml: msg.xml });
        append(e.action === 'updated' ? 'an alert update' : 'an alert change', () => o.store.appendAlerts([{ t: e.t, zone: e.change.zone, state: e.change.state, row }]));
      }
    },
    /** Writes the queued track states (called by the service's tick). */
    flush(): void {
      if (pending.length === 0) return;
      const rows = pending;
      pending = [];
      append('track states', () => o.store.appendTrackStates(rows));
    },
    /** Resolves when every write so far is done. */
    settled(): Promise<void> {
      return chain;
    },
  };
}
