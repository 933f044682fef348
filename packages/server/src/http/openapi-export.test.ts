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

/**
 * Fails naming the first line where `got` (the committed file) and `want` differ. Not
 * assert.equal: its diff of two 130 KB texts ran for more than 25 minutes under the spec
 * reporter (a CI run, 2026-12-07).
 */
function sameText(got: string, want: string, file: string): void {
  if (got === want) return;
  const a = got.split('\n');
  const b = want.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  assert.fail(`${file} is out of date: run npm run api-types (first difference at line ${i + 1}: committed ${JSON.stringify((a[i] ?? '<end>').slice(0, 160))}, now ${JSON.stringify((b[i] ?? '<end>').slice(0, 160))})`);
}

it('the committed OpenAPI description and web API types are up to date (else: npm run api-types)', async () => {
  const doc = await openApiDocument();
  const parsed = JSON.parse(doc) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
  assert.ok(Object.keys(parsed.paths).length >= 28 && parsed.components.schemas.TrackWire, 'a whole description');
  sameText(readFileSync(root + OPENAPI_FILE, 'utf8'), doc, OPENAPI_FILE);
  const types = await apiTypes(doc);
  assert.match(types, /TrackWire: \{/);
  sameText(readFileSync(root + API_TYPES_FILE, 'utf8'), types, API_TYPES_FILE);
});
