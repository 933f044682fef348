/** The per-zone alert state machine with hysteresis, manual actions and an audit log (docs/warnings.md). */
export * from './alert-machine.js';
export * from './warning-runner.js';
