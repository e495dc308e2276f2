// The result page's share action: on a device with the Web Share API (phones), the system's share sheet with the
// public share page's address; elsewhere the link stays a plain link to that page. `share` is pure enough to test.
export async function share(link, nav) {
  const data = {
    title: link.getAttribute("data-share-title") || document.title,
    text: link.getAttribute("data-share-text") || "",
    url: link.getAttribute("data-share-url") || link.href,
  };
  if (!nav || typeof nav.share !== "function" || (nav.canShare && !nav.canShare(data))) return "link";
  try {
    await nav.share(data);
    return "shared";
  } catch (error) {
    return error && error.name === "AbortError" ? "cancelled" : "link";
  }
}

export function wire(link, nav, open) {
  if (!link) return;
  link.addEventListener("click", async (event) => {
    if (!nav || typeof nav.share !== "function") return; // a plain link: the browser follows it
    event.preventDefault();
    if ((await share(link, nav)) === "link") open(link.href);
  });
}

if (typeof document !== "undefined") {
  wire(document.getElementById("share-result"), globalThis.navigator, (url) => { window.location.href = url; });
}
