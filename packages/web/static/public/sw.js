/* global self, caches, fetch */
// Service worker of the public warning page (/public/, this worker's scope): the page works offline with the last
// state it saw. Hashed assets: cache first. Everything else: network first, falling back to the
// cache (a warning page must show fresh data whenever it can). The event stream is never cached.
const CACHE = 'skywarden-public-v1';
const SHELL = ['/public/', '/public/manifest.webmanifest', '/public/icon.svg'];

// the page's own script and style (hashed names, only the page knows them): read from the page
async function precache() {
  const c = await caches.open(CACHE);
  await c.addAll(SHELL);
  const page = await c.match('/public/');
  const html = page ? await page.text() : '';
  const assets = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => `/${m[1]}`);
  if (assets.length > 0) await c.addAll(assets);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith('skywarden-public-') && k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw err;
  }
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((c) => c.put(request, copy));
    return response;
  }
  // an error answer (the service restarting, a proxy's 502): the last good one if there is one
  return (await caches.match(request)) ?? response;
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((c) => c.put(request, copy));
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === '/api/v1/public/stream') return;
  if (url.pathname.startsWith('/assets/')) event.respondWith(cacheFirst(event.request));
  else event.respondWith(networkFirst(event.request));
});
