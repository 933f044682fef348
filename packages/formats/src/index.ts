export * from './interchange/index.js';
