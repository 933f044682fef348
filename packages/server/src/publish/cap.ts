/**
 * CAP 1.2 for the picture's alert events: one message per event (Alert, Update, Cancel, by
 * formats' capMessageFor: the same mapping as `skywarden track --cap-dir`), made once and
 * shared by the publishers that carry it (the stored alert row, webhooks).
 */
import type { AlertEvent } from '@skywarden/core';
import { capMessageFor, createCapPublisher, type CapMessage, type CapOptions, type CapZone } from '@skywarden/formats';
import type { Logger } from 'pino';

export interface CapStage {
  /** The event's CAP message (made on the first call, the same object after); null when none (or it failed: logged). */
  messageOf(e: AlertEvent): CapMessage | null;
}

export function createCapStage(zones: readonly CapZone[], options: CapOptions, log: Logger): CapStage {
  const publisher = zones.length > 0 ? createCapPublisher(zones, options) : null;
  const made = new WeakMap<AlertEvent, CapMessage | null>();
  return {
    messageOf(e) {
      if (made.has(e)) return made.get(e) ?? null;
      let msg: CapMessage | null = null;
      try {
        msg = publisher ? capMessageFor(publisher, e) : null;
      } catch (err) {
        log.error({ err, zone: e.change.zone }, 'CAP message failed');
      }
      made.set(e, msg);
      return msg;
    },
  };
}
