#!/usr/bin/env node
// Writes the OpenAPI description of the HTTP API (docs/openapi.json) and the web app's types
// generated from it (packages/web/src/api-types.ts). Needs the server built (npm run api-types
// builds it). With --check: writes nothing, exits 1 when either committed file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiTypes, openApiDocument, OPENAPI_FILE, API_TYPES_FILE } from '../packages/server/dist/http/openapi-export.js';

const root = new URL('..', import.meta.url).pathname;
const doc = await openApiDocument();
const types = await apiTypes(doc);
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of [[OPENAPI_FILE, doc], [API_TYPES_FILE, types]]) {
  const path = join(root, file);
  let old = null;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    /* not there yet */
  }
  if (old === text) continue;
  if (check) {
    console.error(`${file} is out of date: run npm run api-types`);
    stale++;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${file}`);
  }
}
process.exit(stale > 0 ? 1 : 0);
