/** The seeded scene simulator: random streams, trajectories, sensor models and scenes. */
export * from './rng.js';
export * from './trajectory.js';
export * from './trajectory-sampled.js';
export * from './opensky.js';
export * from './routes.js';
export * from './raid.js';
export * from './traffic.js';
export * from './sensors.js';
export * from './class-hints.js';
export * from './sensors-acoustic.js';
export * from './sensors-observer.js';
export * from './scene.js';
export * from './scene-chunks.js';
export * from './scene-mixed.js';
export * from './scene-small.js';
export * from './scene-national.js';
export * from './zones.js';
