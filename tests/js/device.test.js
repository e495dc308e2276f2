// The device id: kept in localStorage so every tab is one device, made afresh when missing or malformed.
import assert from "node:assert/strict";
import { test } from "node:test";

import { DEVICE_KEY, DEVICE_PATTERN, deviceId, newDeviceId } from "../../contest/static/js/attempt/device.js";
import { httpHeaders, httpRoute } from "../../contest/static/js/attempt/transport.js";

const bytes = (n) => Uint8Array.from({ length: n }, (_, i) => i * 37);

function memoryStorage(initial = {}) {
  const items = { ...initial };
  return { getItem: (k) => (k in items ? items[k] : null), setItem: (k, v) => { items[k] = String(v); }, items };
}

test("a new id is well formed, and kept for the next tab", () => {
  const storage = memoryStorage();
  const id = deviceId(storage, bytes);
  assert.match(id, DEVICE_PATTERN);
  assert.equal(storage.items[DEVICE_KEY], id);
  assert.equal(deviceId(storage, () => { throw new Error("not asked again"); }), id);
});

test("a malformed kept id is replaced; a storage that refuses gives an id for the page", () => {
  const storage = memoryStorage({ [DEVICE_KEY]: "bad id!" });
  assert.equal(deviceId(storage, bytes), newDeviceId(bytes));
  const refusing = { getItem: () => { throw new Error("denied"); }, setItem: () => { throw new Error("denied"); } };
  assert.match(deviceId(refusing, bytes), DEVICE_PATTERN);
  assert.match(deviceId(null, bytes), DEVICE_PATTERN);
});

test("HTTP calls carry the device, and a catching-up resume asks not to take over", () => {
  assert.equal(httpHeaders({}, "abcdefgh12")["X-Olympiad-Device"], "abcdefgh12");
  assert.equal(httpHeaders(null, "")["X-Olympiad-Device"], undefined);
  assert.deepEqual(httpRoute("attempt_resume", { attempt_id: 4, takeover: false }), ["GET", "/attempts/4?takeover=0", null]);
  assert.deepEqual(httpRoute("attempt_resume", { attempt_id: 4 }), ["GET", "/attempts/4", null]);
});
