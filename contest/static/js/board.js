// A public leaderboard page: watch the board over the /board namespace and redraw the first page on every
// `board` snapshot (the server pushes at most one a second, only when it changed); page through the rest
// with the HTTP API. Without JavaScript the server-rendered page and its links still work.
(function () {
  "use strict";
  var box = document.getElementById("board");
  if (!box) return;
  var labels = document.getElementById("board-labels").dataset;
  var rows = document.getElementById("board-rows");
  var total = document.getElementById("board-total");
  var live = document.getElementById("board-live");
  var prev = document.getElementById("board-prev");
  var next = document.getElementById("board-next");
  var pageLabel = document.getElementById("board-page");
  var roundId = Number(box.dataset.roundId);
  var unitId = box.dataset.unitId ? Number(box.dataset.unitId) : null;
  var size = Number(box.dataset.pageSize);
  var offset = Number(box.dataset.offset) || 0;
  var locale = labels.locale || "vi-VN";

  function number(n) { return Number(n).toLocaleString(locale); }
  function duration(ms) {
    if (ms === null || ms === undefined) return "–";
    var tenths = Math.floor(ms / 100);
    var seconds = Math.floor(tenths / 10) % 60;
    return Math.floor(tenths / 600) + ":" + (seconds < 10 ? "0" : "") + seconds + "." + (tenths % 10);
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }

  function draw(board) {
    var body = document.createDocumentFragment();
    board.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      cell(tr, number(row.rank), "rank");
      cell(tr, row.name);
      cell(tr, row.unit);
      cell(tr, String(row.score));
      cell(tr, duration(row.duration_ms));
      body.appendChild(tr);
    });
    if (!board.rows.length) {
      var tr = document.createElement("tr");
      tr.className = "empty";
      var td = document.createElement("td");
      td.colSpan = 5; td.className = "muted"; td.textContent = labels.empty;
      tr.appendChild(td); body.appendChild(tr);
    }
    rows.replaceChildren(body);
    total.dataset.total = board.total;
    total.textContent = labels.entrants.replace("%(count)s", number(board.total));
    box.dataset.generatedAt = board.generated_at || "";
    pageLabel.textContent = labels.page.replace("%(page)s", String(offset / size + 1));
    prev.hidden = offset <= 0;
    next.hidden = offset + size >= board.total;
  }

  function linkFor(newOffset) {
    var url = new URL(window.location.href);
    url.searchParams.set("page", String(newOffset / size + 1));
    return url;
  }

  function turn(step, event) {
    event.preventDefault();
    var wanted = Math.max(0, offset + step * size);
    var query = new URLSearchParams({offset: String(wanted), limit: String(size)});
    if (unitId) query.set("unit", String(unitId));
    fetch(box.dataset.api + "?" + query.toString(), {headers: {Accept: "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (board) {
        if (!board.ok) throw new Error(board.error && board.error.code);
        offset = wanted;
        draw(board);
        history.replaceState(null, "", linkFor(offset));
      })
      .catch(function () { window.location.href = linkFor(wanted).toString(); });
  }
  prev.addEventListener("click", function (event) { turn(-1, event); });
  next.addEventListener("click", function (event) { turn(1, event); });

  if (!window.io) return;
  var watch = {round_id: roundId};
  if (unitId) watch.unit_id = unitId;
  // audience=board lets nginx send watchers to the processes that push boards, away from the ones taking answers
  // (deploy/nginx.conf).
  var socket = window.io("/board", {transports: ["websocket"], query: {audience: "board"}, reconnectionDelay: 1000,
                                    reconnectionDelayMax: 10000});
  function state(name, text) { live.dataset.liveState = name; live.textContent = text; }
  socket.on("connect", function () {
    socket.emit("watch", watch, function (reply) {
      if (!reply || !reply.ok) { state("error", reply && reply.error ? reply.error.message : ""); return; }
      state("live", labels.live);
      if (offset === 0) draw(reply.board);
    });
  });
  socket.on("board", function (board) {
    box.dataset.pushes = String(Number(box.dataset.pushes || 0) + 1);
    if (offset === 0 && board.round_id === roundId && (board.unit_id || null) === unitId) draw(board);
  });
  socket.on("disconnect", function () { state("offline", labels.offline); });
})();
