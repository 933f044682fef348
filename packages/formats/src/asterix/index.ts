/**
 * ASTERIX codecs: CAT062 system tracks (encoder, data blocks, decoder), CAT048 plots (decoder
 * and a minimal encoder), CAT065 SDPS status (encoder).
 * See docs/standards.md for the item sets.
 */
export * from './cat062.js';
export * from './cat062-decode.js';
export * from './from-track.js';
export * from './cat048.js';
export * from './cat048-decode.js';
export * from './cat065.js';
export { splitAsterixBlocks, firstRecordSource, resolveTimeOfDay, type AsterixBlock } from './items.js';
