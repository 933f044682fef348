export * from './interchange/index.js';
export * from './kr-admin/kr-admin.js';
export type * from './live/wire.js';
export * from './cap/cap.js';
export * from './cap/atom.js';
export * from './cot/index.js';
export * from './asterix/index.js';
export * from './sapient/index.js';
