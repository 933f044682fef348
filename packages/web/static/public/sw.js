/* global self, caches, fetch */
// Service worker of the public warning page (/public/, this worker's scope): the page works offline with the last
// state it saw. Hashed assets: cache first. Everything else: network first, falling back to the
// cache (a warning page must show fresh data whenever it can). The event stream is never cached.
const CACHE = 'skywarden-public-v1';
const SHELL = ['/public/', '/public/manifest.webmanifest', '/public/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith('skywarden-public-') && k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((c) => c.put(request, copy));
    }
    return response;
  } catch (err) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw err;
  }
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
