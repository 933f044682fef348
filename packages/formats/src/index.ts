export * from './interchange/index.js';
export * from './kr-admin/kr-admin.js';
