/** Identification: recursive Bayesian classification of tracks (docs/identification.md). */
export * from './class-model.js';
export * from './classifier.js';
export * from './cooperative.js';
export * from './kinematic-likelihood.js';
export * from './special-functions.js';
