// The door's proof of work (contest/fairplay/door.py): find a counter whose SHA-256, after the challenge and a
// colon, starts with `bits` zero bits. Web Crypto does the hashing; `digest` is injectable for tests.

export function leadingZeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) { bits += 8; continue; }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

const defaultDigest = (data) => globalThis.crypto.subtle.digest("SHA-256", data);

// Resolves to the solution (a decimal string). Hashes in batches so the page stays responsive.
export async function solve(challenge, bits, digest = defaultDigest, batch = 64) {
  const encoder = new TextEncoder();
  for (let counter = 0; ; counter += batch) {
    const tries = [];
    for (let n = counter; n < counter + batch; n += 1) tries.push(digest(encoder.encode(`${challenge}:${n}`)));
    const hashes = await Promise.all(tries);
    for (let i = 0; i < hashes.length; i += 1) {
      if (leadingZeroBits(new Uint8Array(hashes[i])) >= bits) return String(counter + i);
    }
  }
}
