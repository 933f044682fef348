/**
 * SAPIENT (BSI Flex 335 v2.0) codec: stream framing, SapientMessage encode/decode, message
 * builders and DetectionReport -> interchange detection rows. See docs/standards.md.
 */
export { SAPIENT_PACKAGE, SAPIENT_PROTO_DIR } from './schema.js';
export * from './framer.js';
export * from './codec.js';
export * from './to-rows.js';
export * from './builders.js';
export * from './mandatory.js';
