// The door's proof of work in the page: what it finds, the server's check accepts (the same rule as door.py).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { leadingZeroBits, solve } from "../../contest/static/js/pow.js";

test("leading zero bits are counted across bytes", () => {
  assert.equal(leadingZeroBits(Uint8Array.from([0, 0, 0x1f, 0xff])), 19);
  assert.equal(leadingZeroBits(Uint8Array.from([0x80])), 0);
  assert.equal(leadingZeroBits(Uint8Array.from([0, 0])), 16);
});

test("a solution found with Web Crypto has the bits asked for", async () => {
  const challenge = "0123abcd.12.1999999999.login.sig";
  const solution = await solve(challenge, 12);
  const digest = createHash("sha256").update(`${challenge}:${solution}`).digest();
  assert.ok(leadingZeroBits(digest) >= 12);
  assert.match(solution, /^\d+$/);
});
