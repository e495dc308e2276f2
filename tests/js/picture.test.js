// A paper's picture: drawn at its stated size (no jump while it loads), lazily, with the organiser's description.
import assert from "node:assert/strict";
import { test } from "node:test";

import { picture } from "../../contest/static/js/attempt/render.js";

const doc = { createElement: (tag) => ({ tag }) };

test("a picture keeps its size and loads only when shown", () => {
  const img = picture(doc, { url: "/media/ab.png", width: 640, height: 480, alt: "Bản đồ" }, "question-image");
  assert.deepEqual(img, { tag: "img", className: "question-image", loading: "lazy", decoding: "async", width: 640,
    height: 480, alt: "Bản đồ", src: "/media/ab.png" });
});

test("a picture without a description gets an empty alt, the text beside it says what it shows", () => {
  assert.equal(picture(doc, { url: "/media/cd.jpg", width: 1, height: 1 }, "choice-image").alt, "");
});
