// The result page's share action: the Web Share API where there is one, the plain link otherwise.
import assert from "node:assert/strict";
import { test } from "node:test";

import { share, wire } from "../../contest/static/js/share.js";

function link(attrs = {}) {
  const listeners = {};
  return {
    href: "https://example.vn/share/3/7-abc",
    getAttribute: (name) => attrs[name] ?? null,
    addEventListener: (type, fn) => { listeners[type] = fn; },
    click: async (event) => listeners.click(event),
    listeners,
  };
}

const attrs = { "data-share-url": "https://example.vn/share/3/7-abc", "data-share-title": "Giải Ba · Tuần 3",
  "data-share-text": "Tuần 3: 9/10" };

test("a phone's share sheet gets the public page's address, title and text", async () => {
  const shared = [];
  const result = await share(link(attrs), { share: async (data) => { shared.push(data); } });
  assert.equal(result, "shared");
  assert.deepEqual(shared, [{ title: "Giải Ba · Tuần 3", text: "Tuần 3: 9/10", url: "https://example.vn/share/3/7-abc" }]);
});

test("without the Web Share API the link is followed as it is", async () => {
  assert.equal(await share(link(attrs), {}), "link");
  const a = link(attrs);
  wire(a, {}, () => assert.fail("nothing to open: the browser follows the link"));
  let prevented = false;
  await a.click({ preventDefault: () => { prevented = true; } });
  assert.equal(prevented, false);
});

test("a cancelled share sheet stays on the page; a failing one opens the link", async () => {
  const cancelled = { share: async () => { const e = new Error("x"); e.name = "AbortError"; throw e; } };
  assert.equal(await share(link(attrs), cancelled), "cancelled");
  const opened = [];
  const a = link(attrs);
  wire(a, { share: async () => { throw new Error("not allowed"); } }, (url) => opened.push(url));
  let prevented = false;
  await a.click({ preventDefault: () => { prevented = true; } });
  assert.equal(prevented, true);
  assert.deepEqual(opened, ["https://example.vn/share/3/7-abc"]);
});

test("data the device says it cannot share falls back to the link", async () => {
  assert.equal(await share(link(attrs), { share: async () => {}, canShare: () => false }), "link");
});
