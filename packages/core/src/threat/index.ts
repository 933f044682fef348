/** Threat prediction: ensemble paths of a track and per zone the probability and time of entry (docs/warnings.md). */
// the normal distribution's functions are exported from math/ and identify/
export { stratumNodes, planeNodes } from './ensemble.js';
export * from './zone-index.js';
export * from './predict.js';
export * from './reuse.js';
