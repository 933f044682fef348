/**
 * Rate-limited warnings for the listeners and transports: bad input from the network is counted always
 * but logged at most once per `everyS` seconds per kind, with the number held back since,
 * so that a flood of garbage cannot flood the log.
 */
import type { Logger } from 'pino';

export interface WarnLimiter {
  warn(kind: string, fields: Record<string, unknown>, msg: string): void;
}

export function createWarnLimiter(log: Pick<Logger, 'warn'>, everyS = 10, now: () => number = () => Date.now() / 1000): WarnLimiter {
  const last = new Map<string, { at: number; held: number }>();
  return {
    warn(kind, fields, msg) {
      const t = now();
      const x = last.get(kind);
      if (x && t - x.at < everyS) {
        x.held++;
        return;
      }
      const held = x?.held ?? 0;
      last.set(kind, { at: t, held: 0 });
      log.warn(held > 0 ? { ...fields, suppressed: held } : fields, msg);
    },
  };
}
