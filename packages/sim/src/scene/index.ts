/** The seeded scene simulator: random streams, trajectories, sensor models and scenes. */
export * from './rng.js';
export * from './trajectory.js';
export * from './sensors.js';
export * from './scene.js';
