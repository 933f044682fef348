/**
 * ASTERIX codecs: CAT062 system tracks (encoder, data blocks, decoder) and a minimal CAT048
 * plot encoder. See docs/standards.md for the item set.
 */
export * from './cat062.js';
export * from './cat062-decode.js';
export * from './from-track.js';
export * from './cat048.js';
export * from './cat048-decode.js';
export * from './cat065.js';
export { splitAsterixBlocks, resolveTimeOfDay, type AsterixBlock } from './items.js';
