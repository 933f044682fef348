/**
 * MQTT ingest, for both the embedded broker (aedes 2, MQTT 3.1.1 and 5) and an external one
 * (Mosquitto, MQTT 5, the service subscribing as a client).
 *
 * Topics (prefix `skywarden/v1` by default, `mqtt.topic_prefix`):
 *   <prefix>/<id>/detections  detections: one JSON object, a JSON array, or NDJSON; QoS 1
 *   <prefix>/<id>/status      heartbeat (any JSON); marks the sensor as heard
 *   <prefix>/<id>/errors      the service's reports of rejected detections (QoS 0, JSON)
 * `<id>` is the publisher: a sensor id or a gateway id. On the embedded broker it must equal
 * the MQTT username (the credential), and each detection's `sensor` must be one the
 * credential may publish for; a client may subscribe only to its own errors topic.
 *
 * Acknowledgement: the PUBACK of a QoS 1 message goes out only after its detections are in
 * the journal (embedded: the broker's authorizePublish waits for the journal; external: the
 * client's PUBACK to the broker waits, and the broker keeps unacknowledged messages for the
 * persistent session). When the journal fails, the embedded broker drops the connection
 * without a PUBACK and the sensor resends. A message with nothing usable is refused to an
 * MQTT 5 client with reason code 0x87 and a reason string (see `MqttMessageOutcome`).
 */
import { batchTooLarge, decodeLines, jsonHazards, jsonScan, parseNdjsonLines, withoutHazards } from '../ingest/ndjson.js';
import type { Service } from '../service.js';
import type { Principal } from '../auth.js';
import type { IngestResult } from '../ingest/ingest.js';

/** At most this many bad lines of one message are named (the others are counted). */
export const MAX_NAMED_ERRORS = 100;

/**
 * The detections of a payload: a JSON array, one object, or NDJSON (the good lines kept, the
 * first {@link MAX_NAMED_ERRORS} bad ones named, all counted). With more than `maxLines`
 * non-empty lines nothing is parsed: `tooMany` gives their count (a batch too large is refused
 * before any work is spent on it).
 */
export function parsePayload(payload: Buffer, maxLines = Infinity): { items: unknown[]; errors: string[]; errorCount: number; tooMany?: number; tooManyMessage?: string } {
  // line by line: a line that is not UTF-8 costs only itself, as in NDJSON over HTTP
  const { text: decoded, bad } = decodeLines(payload);
  const text = decoded.trim();
  if (text.length === 0 && bad.size === 0) return { items: [], errors: ['empty message'], errorCount: 1 };
  // a JSON batch too large (too many items, or values): counted, not parsed
  // one scan gives the counts and, for one JSON value, its hazards
  const scan = jsonScan(text, false);
  const tooLarge = batchTooLarge(scan, maxLines, 'message');
  if (tooLarge) return { items: [], errors: [], errorCount: 0, tooMany: tooLarge.count, tooManyMessage: tooLarge.message };
  // one JSON value (an array or one detection), unless a line is not UTF-8: then NDJSON. An item
  // of a batch nested too deep or too wide to be a detection is not parsed: it costs only itself
  // (jsonHazards); one detection so made is not parsed as one value (then NDJSON, where it is a bad line)
  const doc = bad.size === 0 ? scan : null;
  if (doc && (doc.found.size === 0 || doc.batch)) {
    try {
      const v = JSON.parse(doc.found.size === 0 ? text : withoutHazards(text, doc.found)) as unknown;
      if (doc.found.size === 0) return { items: Array.isArray(v) ? v : [v], errors: [], errorCount: 0 };
      const all = v as unknown[];
      const items = all.filter((_, k) => !doc.found.has(k));
      const errors = [...doc.found].slice(0, MAX_NAMED_ERRORS).map(([k, h]) => `detection ${k}: ${h.message}`);
      return { items, errors, errorCount: doc.found.size };
    } catch {
      // not one JSON value: NDJSON
    }
  }
  // NDJSON (the lines of the untrimmed text: their indexes are those of `bad`)
  for (const [line, h] of jsonHazards(decoded, true).found) bad.set(line, h.message);
  const r = parseNdjsonLines(decoded, maxLines, bad);
  if ('tooMany' in r) return { items: [], errors: [], errorCount: 0, tooMany: r.tooMany };
  const items: unknown[] = [];
  const errors: string[] = [];
  let errorCount = 0;
  for (const l of r.lines) {
    if (l.ok) items.push(l.value);
    else {
      errorCount++;
      if (errors.length < MAX_NAMED_ERRORS) errors.push(l.message);
    }
  }
  return { items, errors, errorCount };
}

export interface TopicParts {
  id: string;
  kind: 'detections' | 'status' | 'errors';
}

export function parseTopic(prefix: string, topic: string): TopicParts | null {
  if (!topic.startsWith(prefix + '/')) return null;
  const rest = topic.slice(prefix.length + 1).split('/');
  if (rest.length !== 2 || rest[0].length === 0) return null;
  const kind = rest[1];
  if (kind !== 'detections' && kind !== 'status' && kind !== 'errors') return null;
  return { id: rest[0], kind };
}

/**
 * What became of one message: `result` when it reached the ingest; `refused` names why nothing
 * of it was taken when it held nothing usable (too large, no valid JSON, every detection
 * refused), so that an MQTT 5 client can be told in its PUBACK.
 */
export interface MqttMessageOutcome {
  result: IngestResult | null;
  refused?: string;
}

/** Handles one detections or status message. Resolves when the good detections are journalled; rejects if the journal failed. */
export async function handleMqttMessage(
  svc: Service,
  principal: Principal | null,
  parts: TopicParts,
  payload: Buffer,
  publishError: (id: string, body: unknown) => void,
  /** The payload's real size when the broker dropped it unread for its size (`payload` is then a stand-in). */
  droppedBytes?: number,
): Promise<MqttMessageOutcome> {
  const now = svc.clock();
  if (parts.kind === 'status') {
    if (principal) for (const s of principal.sensors) if (!s.endsWith('*') && svc.registry.def(s)) svc.registry.heard(s, now);
    if (svc.registry.def(parts.id)) svc.registry.heard(parts.id, now);
    return { result: null };
  }
  if (parts.kind !== 'detections') return { result: null };
  const bytes = droppedBytes ?? payload.length;
  if (bytes > svc.config.mqtt.max_message_bytes || droppedBytes !== undefined) {
    svc.metrics.rejected.inc({ source: 'mqtt', reason: 'payload_too_large' });
    const message = `message of ${bytes} bytes; at most ${svc.config.mqtt.max_message_bytes} (mqtt.max_message_bytes)`;
    publishError(parts.id, { code: 'payload_too_large', message });
    return { result: null, refused: `payload_too_large: ${message}` };
  }
  // a credential whose refused detections ran its rate limit into debt: the message is not read
  if (principal && svc.ingest.owes(principal.id) > 0) {
    svc.metrics.rejected.inc({ source: 'mqtt', reason: 'rate_limited' });
    const message = svc.ingest.owesMessage(principal.id);
    publishError(parts.id, { code: 'rate_limited', message });
    return { result: null, refused: `rate_limited: ${message}` };
  }
  const { items, errors, errorCount, tooMany, tooManyMessage } = parsePayload(payload, svc.ingest.maxBatch);
  // lines that were not JSON cost their parsing: charged to the credential as refused detections
  if (principal && errorCount > 0) svc.ingest.debit(principal.id, errorCount);
  if (errorCount > 0) {
    // one error report for the message, however many lines were bad (one per line let a
    // message of 100,000 bad lines flood the broker until it failed)
    svc.metrics.rejected.inc({ source: 'mqtt', reason: 'invalid_json' }, errorCount);
    publishError(parts.id, { code: 'invalid_json', message: errors[0], lines: errors, more: errorCount - errors.length });
  }
  const count = tooMany ?? items.length;
  if (count > svc.ingest.maxBatch) {
    svc.metrics.rejected.inc({ source: 'mqtt', reason: 'batch_too_large' }, count);
    const message = tooManyMessage ?? `${count} detections in one message; at most ${svc.ingest.maxBatch}`;
    publishError(parts.id, { code: 'batch_too_large', message });
    return { result: null, refused: `batch_too_large: ${message}` };
  }
  if (items.length === 0) return { result: null, refused: `invalid_json: ${errors[0] ?? 'no detection in the message'}` };
  const r = await svc.ingest.ingest(principal, items, 'mqtt');
  if (r.rejected.length > 0) {
    publishError(parts.id, { rejected: r.rejected.slice(0, 100), more: Math.max(0, r.rejected.length - 100) });
    svc.log.debug({ publisher: parts.id, rejected: r.rejected.length }, 'mqtt detections rejected');
  }
  if (r.notFused.length > 0) {
    // kept, but the live picture did not take them (a sensor clock behind: too late for it)
    publishError(parts.id, { code: 'not_fused', message: r.notFused[0].message, not_fused: r.notFused.slice(0, 100), more: Math.max(0, r.notFused.length - 100) });
  }
  if (r.accepted === 0 && r.duplicates === 0 && r.rejected.length > 0) {
    const first = r.rejected[0];
    const more = r.rejected.length > 1 ? ` (and ${r.rejected.length - 1} more, on ${parts.id}/errors)` : '';
    return { result: r, refused: `every detection refused: #${first.index} ${first.code}: ${first.message}${more}` };
  }
  return { result: r };
}
