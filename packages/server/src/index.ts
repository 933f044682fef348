export * from './store/index.js';
export * from './config.js';
export * from './errors.js';
export * from './auth.js';
export { startServer, ConfigError, type StartOptions, type RunningServer } from './server.js';
export { createService, type Service, type ServiceOptions } from './service.js';
export { createLivePicture, toTrackWire, type LivePicture } from './picture/live-picture.js';
export { createIngest, detectionIdOf, type Ingest, type IngestResult } from './ingest/ingest.js';
export { createWebhookDispatcher, verifyWebhookSignature, signWebhook, type WebhookDispatcher } from './publish/webhooks.js';
