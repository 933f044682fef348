/**
 * Interchange formats, version 1 (spec/interchange.md): wire rows, built-in default errors,
 * and the readers and writers of sensors.json, detections.ndjson, tracks.ndjson and truth.ndjson.
 */
export * from './rows.js';
export * from './defaults.js';
export { checkText, formatLineError, withoutBom, type LineError } from './check.js';
export { describeJsonError, jsonErrorOffset, lineColumn, parseErrorMessage } from './json-error.js';
export * from './sensors.js';
export * from './detections.js';
export { PLAUSIBLE, nestsDeeper } from './plausible.js';
export * from './tracks.js';
export * from './report-row.js';
export * from './zones.js';
export * from './zones-from.js';
export * from './alerts.js';
