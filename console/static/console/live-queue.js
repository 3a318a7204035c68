// The queue refreshes itself: it fetches its own page every few seconds, swaps in the new rows and counts, and
// announces a newly arrived urgent request visually and to screen readers (the aria-live region), no reload.
(function () {
  "use strict";
  const region = document.getElementById("queue-announce");
  const live = document.getElementById("queue-live");
  if (!region || !live) return;
  const seconds = Number(live.dataset.refreshSeconds) || 15;
  const urgentRefs = (root) =>
    new Set(Array.from(root.querySelectorAll("#queue-table tbody tr.urgent")).map((tr) => tr.dataset.reference));
  let known = urgentRefs(document);

  async function refresh() {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = fresh.getElementById("queue-live");
      if (!next) return;
      const arrived = Array.from(urgentRefs(fresh)).filter((ref) => !known.has(ref));
      live.replaceChildren(...Array.from(next.childNodes).map((node) => document.importNode(node, true)));
      known = urgentRefs(document);
      if (arrived.length) {
        arrived.forEach((ref) => {
          const row = live.querySelector(`tr[data-reference="${ref}"]`);
          if (row) row.classList.add("arrived");
        });
        region.textContent = region.dataset.template.replace("{references}", arrived.join(", "));
        region.hidden = false;
      }
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
  }
  window.setInterval(refresh, seconds * 1000);
})();
