/**
 * CAP 1.2 for the picture's alert events: one message per event (Alert, Update, the all-clear as an Update, by
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

/** `clock`: the service's time (s since the epoch), the messages' `<sent>`. */
export function createCapStage(zones: readonly CapZone[], options: CapOptions, log: Logger, clock: () => number): CapStage {
  const publisher = zones.length > 0 ? createCapPublisher(zones, options) : null;
  const made = new WeakMap<AlertEvent, CapMessage | null>();
  return {
    messageOf(e) {
      if (made.has(e)) return made.get(e) ?? null;
      let msg: CapMessage | null = null;
      try {
        // sent = when made; never before the change it reports (a clock behind the picture's time)
        msg = publisher ? capMessageFor(publisher, e, Math.max(clock(), e.change.t)) : null;
      } catch (err) {
        log.error({ err, zone: e.change.zone }, 'CAP message failed');
      }
      made.set(e, msg);
      return msg;
    },
  };
}
