// A crisis broadcast's board refreshes itself the queue's way (live-queue.js): it fetches its own page every few
// seconds and swaps in the new counts and rows, and says the new counts to screen readers (a polite live region)
// when they change, no reload.
(function () {
  "use strict";
  const live = document.getElementById("board-live");
  const region = document.getElementById("board-announce");
  if (!live || !region) return;
  const seconds = Number(live.dataset.refreshSeconds) || 10;
  const summary = (root) => {
    const counts = root.getElementById("board-counts");
    return counts ? counts.dataset.summary : "";
  };
  let known = summary(document);

  async function refresh() {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = fresh.getElementById("board-live");
      if (!next) return;
      live.replaceChildren(...Array.from(next.childNodes).map((node) => document.importNode(node, true)));
      const now = summary(fresh);
      if (now && now !== known) {
        region.textContent = now;
        known = now;
      }
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
  }
  window.setInterval(refresh, seconds * 1000);
})();
