/**
 * Cursor-on-Target (CoT) codecs for TAK: tracks and zone alerts out, observer reports in.
 * See docs/standards.md for the type mapping.
 */
export * from './cot-types.js';
export { COT_UNKNOWN, cotTime, XML_DECLARATION } from './cot-write.js';
export * from './track-to-cot.js';
export * from './alert-to-cot.js';
export * from './parse-cot.js';
export { parseXml, escapeXml, type XmlElement, type XmlResult, type XmlLimits } from './xml.js';
export * from './tak-proto.js';
