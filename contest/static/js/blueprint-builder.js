// Round form: hide the topic × difficulty table when drawing from the whole bank, and show the running sum.
(function () {
  "use strict";
  var box = document.querySelector("[data-blueprint]");
  if (!box) return;
  var cells = box.querySelector("[data-cells]");
  var sum = box.querySelector("[data-sum]");
  var script = document.currentScript || document.querySelector("script[data-sum-label]");
  var label = script ? script.getAttribute("data-sum-label") : "{n} / {total}";
  var count = document.querySelector("input[name=question_count]");

  function mode() {
    var checked = box.querySelector("input[name=blueprint_mode]:checked");
    return checked ? checked.value : "whole";
  }

  function refresh() {
    var byCell = mode() === "cells";
    if (cells) cells.hidden = !byCell;
    if (!sum) return;
    sum.hidden = !byCell;
    var n = 0;
    box.querySelectorAll("[data-cells] input").forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (value > 0) n += value;
      input.closest("td").classList.toggle("short", value > parseInt(input.max, 10));
    });
    sum.textContent = label.replace("{n}", n).replace("{total}", count ? count.value : "?");
  }

  box.addEventListener("input", refresh);
  box.addEventListener("change", refresh);
  if (count) count.addEventListener("input", refresh);
  refresh();
})();
