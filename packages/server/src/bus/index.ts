/** The bus API: the interface, the in-process and NATS JetStream implementations. */
export * from './bus.js';
export { createLocalBus, type LocalBus } from './local/local-bus.js';
export { createNatsBus, type NatsBus, type NatsBusOptions } from './nats/nats-bus.js';
