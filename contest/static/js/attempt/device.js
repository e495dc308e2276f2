// This browser's device id: random, kept in localStorage, so every tab of the browser is one device
// (docs/contract.md, "One device per attempt"). Sent on connect, attempt_start/attempt_resume and HTTP calls.

export const DEVICE_KEY = "olympiad.device";
export const DEVICE_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

// 16 characters (96 bits) from 16 random bytes (`randomBytes(n)` gives a Uint8Array: crypto.getRandomValues or a test's).
export function newDeviceId(randomBytes) {
  const bytes = randomBytes(16);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let id = "";
  bytes.forEach((byte) => { id += alphabet[byte % 64]; });
  return id;
}

// The id kept in `storage` (a Storage, or null when the browser refuses one: then a new id per page load).
export function deviceId(storage, randomBytes) {
  try {
    const kept = storage && storage.getItem(DEVICE_KEY);
    if (kept && DEVICE_PATTERN.test(kept)) return kept;
  } catch (e) { /* storage refused: fall through */ }
  const id = newDeviceId(randomBytes);
  try { if (storage) storage.setItem(DEVICE_KEY, id); } catch (e) { /* not kept: this page only */ }
  return id;
}
