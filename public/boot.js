// Starts the page without any inline script, so that the Content-Security-Policy in
// index.html can forbid inline scripts altogether.
//
// 1. Offline use: public/sw.js caches what the page loads. Not in an embed (it keeps
//    nothing of the visitor's), and never an error: a sandboxed iframe or a browser
//    without service workers simply goes without.
// 2. The app: Trunk names its hashed loader and wasm on <meta name="playground-app">
//    (Trunk.toml, `pattern_script`); they are imported and started from here.

function embedded() {
  const v = new URLSearchParams(location.search).get("embed");
  return v !== null && !/^(0|false|no|off)$/.test(v);
}

function notice(text) {
  const p = document.createElement("p");
  p.className = "sw-notice";
  p.setAttribute("role", "status");
  p.setAttribute("data-testid", "sw-notice");
  p.textContent = text;
  document.body.appendChild(p);
  setTimeout(() => p.remove(), 8000);
}

try {
  if (!embedded() && "serviceWorker" in navigator) {
    const sw = navigator.serviceWorker;
    sw.addEventListener("message", (e) => {
      if (e.data === "updated") notice("Updated to a new version.");
    });
    window.addEventListener("load", () => {
      sw.register("sw.js").then(() => {
        if (sw.controller) sw.controller.postMessage("updated?");
      }).catch((e) => {
        console.info("Offline use is unavailable here:", e && e.message);
      });
    });
  }
} catch (e) {
  console.info("Offline use is unavailable here:", e && e.message);
}

const app = document.querySelector('meta[name="playground-app"]');
const { default: init } = await import(app.dataset.js);
await init({ module_or_path: app.dataset.wasm });
