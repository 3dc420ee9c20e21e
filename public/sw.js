// The playground's service worker: once the page has loaded, it works without a network.
//
// No build-time list: Trunk hashes the bundle's file names, so the worker caches what the
// page actually loads. On install it fetches the page and caches it with every same-origin
// file it names (script, wasm, style, manifest, icon); afterwards same-origin GETs are
// cache-first (a hashed name never changes its content) and the page itself is
// network-first, so a new version is picked up on the next visit. When the page fetched
// from the network names other files than the cached one, the worker caches the new page,
// drops the files only the old one named and tells the page (which says "Updated to a new
// version").

const CACHE = "playground-v1";
const PAGE = new URL("./", self.location).href;
const MARKER = new URL("./__updated", self.location).href;

/** Same-origin files a page names (href="…", src="…", or a quoted file name in an inline
 *  script such as Trunk's `import init from '/app-1a2b.js'`), sorted. */
function assetsOf(html) {
  const urls = new Set();
  const found = [
    ...html.matchAll(/\b(?:href|src)\s*=\s*["']([^"'#]+)["']/g),
    ...html.matchAll(/["']((?:\.{0,2}\/)?[\w\-./]+\.(?:js|mjs|wasm|css|svg|png|webmanifest))["']/g),
  ];
  for (const m of found) {
    try {
      const url = new URL(m[1], PAGE);
      if (url.origin === self.location.origin && url.href !== PAGE && url.href !== self.location.href) {
        urls.add(url.href);
      }
    } catch {
      // Not a URL: skip.
    }
  }
  return [...urls].sort();
}

/** Caches `response` as the page, with the files it names; true when they changed. */
async function storePage(response) {
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  const old = await cache.match(PAGE);
  const before = old ? assetsOf(await old.text()) : null;
  const now = assetsOf(html);
  await Promise.all(now.map(async (url) => {
    if (!(await cache.match(url))) {
      const r = await fetch(url, { cache: "no-cache" });
      if (r.ok) await cache.put(url, r);
    }
  }));
  await cache.put(PAGE, response);
  const changed = before !== null && before.join(" ") !== now.join(" ");
  if (changed) {
    // Files the old page named and the new one does not: drop them.
    const keep = new Set(now);
    for (const url of before) {
      if (!keep.has(url)) await cache.delete(url);
    }
    await cache.put(MARKER, new Response("1"));
  }
  return changed;
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const r = await fetch(PAGE, { cache: "no-cache" });
    if (r.ok) await storePage(r);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The comparison of the newest page fetched with the cached one, awaited before answering
// a page that asks whether it is a new version.
let pending = Promise.resolve();

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    // Network first: the newest page when online, the cached one offline.
    event.respondWith((async () => {
      try {
        const fresh = await fetch(req);
        if (fresh.ok && url.pathname === new URL(PAGE).pathname) {
          pending = storePage(fresh.clone()).catch(() => false);
          event.waitUntil(pending);
        }
        return fresh;
      } catch (e) {
        const cached = await caches.match(PAGE);
        if (cached) return cached;
        throw e;
      }
    })());
    return;
  }
  // Cache first: hashed names never change their content.
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(req, { ignoreSearch: true });
    if (hit) return hit;
    const r = await fetch(req);
    if (r.ok && r.type === "basic") event.waitUntil(cache.put(req, r.clone()));
    return r;
  })());
});

self.addEventListener("message", (event) => {
  if (event.data !== "updated?") return;
  event.waitUntil((async () => {
    await pending;
    const cache = await caches.open(CACHE);
    if (await cache.match(MARKER)) {
      await cache.delete(MARKER);
      event.source?.postMessage("updated");
    }
  })());
});
