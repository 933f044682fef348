/**
 * The committed OpenAPI description (docs/openapi.json) and the web app's types generated from
 * it (packages/web/src/api-types.ts) are what the code describes now: a schema changed without
 * `npm run api-types` fails here.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_TYPES_FILE, apiTypes, OPENAPI_FILE, openApiDocument } from './openapi-export.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

it('the committed OpenAPI description and web API types are up to date (else: npm run api-types)', async () => {
  const doc = await openApiDocument();
  const parsed = JSON.parse(doc) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
  assert.ok(Object.keys(parsed.paths).length >= 28 && parsed.components.schemas.TrackWire, 'a whole description');
  assert.equal(readFileSync(root + OPENAPI_FILE, 'utf8'), doc, `${OPENAPI_FILE} is out of date: run npm run api-types`);
  const types = await apiTypes(doc);
  assert.match(types, /TrackWire: \{/);
  assert.equal(readFileSync(root + API_TYPES_FILE, 'utf8'), types, `${API_TYPES_FILE} is out of date: run npm run api-types`);
});
