/**
 * Prometheus metrics (GET /metrics), one registry per service instance (prom-client).
 * Names follow Prometheus conventions: `skywarden_` prefix, base units, `_total` counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'skywarden_process_' });
  // prom-client's defaults name three gauges `..._total`, which Prometheus keeps for counters
  // (promtool check metrics warns): they go; the same gauges by type stay
  // (`skywarden_process_nodejs_active_handles{type}`, ...: sum() gives the totals)
  for (const what of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`skywarden_process_nodejs_active_${what}_total`);
  const m = {
    registry,
    accepted: new Counter({ name: 'skywarden_detections_accepted_total', help: 'Detections journalled, by ingest source', labelNames: ['source'], registers: [registry] }),
    duplicates: new Counter({ name: 'skywarden_detections_duplicate_total', help: 'Detections dropped as duplicates, by source', labelNames: ['source'], registers: [registry] }),
    rejected: new Counter({ name: 'skywarden_detections_rejected_total', help: 'Detections rejected, by source and reason code', labelNames: ['source', 'reason'], registers: [registry] }),
    fusionRefused: new Counter({ name: 'skywarden_fusion_refused_total', help: 'Journalled detections the tracker refused (later than the reorder delay)', registers: [registry] }),
    journalLag: new Gauge({ name: 'skywarden_journal_lag_detections', help: 'Journalled detections waiting in the tracker reorder buffer', registers: [registry] }),
    journalSeq: new Gauge({ name: 'skywarden_journal_last_seq', help: 'Highest journal sequence number written', registers: [registry] }),
    commitSeconds: new Histogram({ name: 'skywarden_journal_commit_seconds', help: 'Time of one journal group commit', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    stepSeconds: new Histogram({ name: 'skywarden_fusion_step_seconds', help: 'Time of one fusion advance (tracker steps due at a tick or commit)', buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    reportLateSeconds: new Histogram({
      name: 'skywarden_report_late_seconds',
      help: 'Clock time from a report falling due (report time + reorder delay) to the report being made',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    broadcastSeconds: new Histogram({ name: 'skywarden_stream_tracks_seconds', help: 'Time from a report being made to its tracks event being in every stream client\'s socket (serialization and write)', buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    tracks: new Gauge({ name: 'skywarden_tracks', help: 'Tracks in the last report, by status', labelNames: ['status'], registers: [registry] }),
    alerts: new Gauge({ name: 'skywarden_zones_alerted', help: 'Zones currently under alert', registers: [registry] }),
    alertChanges: new Counter({ name: 'skywarden_alert_changes_total', help: 'Alert changes, by new state', labelNames: ['state'], registers: [registry] }),
    sensors: new Gauge({ name: 'skywarden_sensors', help: 'Registered sensors, by health status', labelNames: ['status'], registers: [registry] }),
    busFailures: new Counter({ name: 'skywarden_bus_failures_total', help: 'Failed publications of journalled detections on the bus (retried; the picture takes them directly meanwhile) and failed journal reads for it', registers: [registry] }),
    quarantined: new Counter({ name: 'skywarden_quarantined_total', help: 'Journalled detections that made the fusion fault on their own: skipped and quarantined', registers: [registry] }),
    tickErrors: new Counter({ name: 'skywarden_fusion_errors_total', help: 'Fusion steps that failed with an error (logged; the service goes on)', registers: [registry] }),
    streamClients: new Gauge({ name: 'skywarden_stream_clients', help: 'Connected event-stream clients', registers: [registry] }),
    unreleasedQos2: new Gauge({ name: 'skywarden_mqtt_unreleased_qos2', help: 'QoS 2 MQTT messages received whose PUBREL has not come, over all clients (their packet ids: the payloads are not kept)', registers: [registry] }),
    sapientRefusals: new Counter({ name: 'skywarden_sapient_refusals_total', help: 'What the SAPIENT listener refused or closed to bound what one client costs, by kind (the listener stats: tooManyElements, unregisteredRefused, backlogClosed, unknownOverLimit, nodesPerConnectionOverLimit, registrationTimeouts, evicted, refusedFull, takenOver, protocolErrorsClosed, notUuidRefused)', labelNames: ['kind'], registers: [registry] }),
    streamDropped: new Counter({ name: 'skywarden_stream_dropped_total', help: 'Event-stream clients dropped for not keeping up', registers: [registry] }),
    streamFull: new Counter({ name: 'skywarden_stream_full_total', help: 'Event-stream requests at the client cap (http.max_stream_clients): refused, or a client of the most represented address replaced', labelNames: ['stream', 'what'], registers: [registry] }),
  };
  return m;
}
export type Metrics = ReturnType<typeof createMetrics>;
