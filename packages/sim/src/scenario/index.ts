export * from './scenario.js';
export * from './build.js';
