// Filters the unit <select> as the entrant types; accents optional ("dai tu" finds "Đại Từ").
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.querySelectorAll("[data-unit-filter]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-unit-filter"));
    if (!select) return;
    var options = Array.prototype.slice.call(select.options).map(function (option) {
      return { option: option, key: fold(option.textContent) };
    });
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var firstVisible = null;
      options.forEach(function (entry) {
        var match = !entry.option.value || words.every(function (w) { return entry.key.indexOf(w) !== -1; });
        entry.option.hidden = !match;
        if (match && entry.option.value && !firstVisible) firstVisible = entry.option;
      });
      if (select.selectedOptions.length && select.selectedOptions[0].hidden && firstVisible) {
        firstVisible.selected = true;
      }
    });
  });
})();
