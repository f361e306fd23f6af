// Live page and beamer of a werkatelier: snapshots from server-sent events.
// Everything from the server is put in the page with textContent only: the example
// sentences are casemanagers' own words and may contain markup.
(function () {
  "use strict";
  var root = document.querySelector("[data-stream]");
  if (!root) return;
  var view = root.dataset.view;
  var STATUS = { voorbereid: "Voorbereid", open: "Open", gesloten: "Gesloten" };
  var STAND = { wacht: "wacht", bezig: "bezig", klaar: "klaar" };

  function byId(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function setText(id, value) { var node = byId(id); if (node) node.textContent = String(value); }
  function fill(id, nodes) { var node = byId(id); if (node) node.replaceChildren.apply(node, nodes); }
  function trust(value) { return value === null || value === undefined ? "–" : Math.round(value); }

  function counts(s) {
    setText("joined", s.joined);
    setText("running", s.running);
    setText("done", s.done);
    setText("needs", s.needs_found);
    setText("status", STATUS[s.status] || s.status);
    var join = byId("join");
    if (join) join.hidden = s.status !== "open";
  }

  function liveRows(s) {
    if (!s.participants.length) {
      var empty = el("tr"); var cell = el("td", null, "Nog niemand doet mee.");
      cell.colSpan = 6; empty.append(cell);
      fill("deelnemers", [empty]);
      return;
    }
    fill("deelnemers", s.participants.map(function (p) {
      var row = el("tr", "deelnemer " + p.status);
      [p.name, p.persona || "–", STAND[p.status] || p.status, p.turns, trust(p.trust),
        p.need_found ? "ja" : "nee"].forEach(function (v) { row.append(el("td", null, v)); });
      return row;
    }));
  }

  function tipRow(t) {
    var total = t.shown + t.missed;
    var row = el("div", "tip");
    row.dataset.tip = t.id;
    row.append(el("div", "kop", t.id + " " + t.heading));
    var line = el("div", "rij");
    var bar = el("div", "balk");
    var good = el("span", "goed"); good.style.width = (100 * t.shown / total) + "%";
    var missed = el("span", "gemist"); missed.style.width = (100 * t.missed / total) + "%";
    bar.append(good, missed);
    var figures = el("span", "cijfers");
    figures.append(el("span", "shown", t.shown), " laten zien · ", el("span", "missed", t.missed),
      " gemist");
    line.append(bar, figures);
    row.append(line);
    return row;
  }

  function sentences(list) {
    if (!list.length) return [el("li", "leeg", "Nog geen voorbeelden.")];
    return list.map(function (x) { return el("li", "zin", x); });
  }

  function beamer(s) {
    var tips = s.tips.filter(function (t) { return t.shown + t.missed > 0; });
    fill("tips", tips.map(tipRow));
    byId("tips").classList.toggle("veel", tips.length > 8);
    byId("geen-tips").hidden = tips.length > 0;
    var chosen = s.examples;
    byId("voorbeelden").hidden = !chosen;
    byId("overzicht").hidden = !!chosen;
    if (chosen) {
      setText("voorbeeld-kop", chosen.id + " " + chosen.heading);
      fill("goed", sentences(chosen.good));
      fill("minder", sentences(chosen.poor));
    }
    byId("namen").hidden = !(s.show_names && s.participants.length);
    fill("deelnemers", s.participants.map(function (p) {
      return el("li", null, p.name + " – " + (STAND[p.status] || p.status) +
        (p.need_found ? ", behoefte gevonden" : ""));
    }));
  }

  var endsAt = null;
  function clock() {
    var node = byId("klok");
    if (!node) return;
    node.hidden = endsAt === null;
    if (endsAt === null) return;
    var left = Math.ceil((endsAt - Date.now() / 1000) / 60);
    node.textContent = left > 0 ? "Nog " + left + " min" : "De tijd is om";
  }
  window.setInterval(clock, 1000);

  function render(s) {
    endsAt = typeof s.ends_at === "number" ? s.ends_at : null;
    clock();
    counts(s);
    if (view === "beamer") beamer(s); else liveRows(s);
    root.dataset.version = s.version;
    root.dataset.sentAt = String(s.sent_at);
    root.dataset.receivedAt = String(Date.now() / 1000);
  }

  function connection(ok) {
    var node = byId("verbinding");
    node.textContent = ok ? "Live" : "Verbinding kwijt, opnieuw verbinden…";
    node.classList.toggle("kwijt", !ok);
  }

  function refused(text) {
    var node = byId("verbinding");
    node.textContent = text || "Er staan te veel live-verbindingen open. Even geduld…";
    node.classList.add("kwijt");
  }

  // EventSource does not tell why the server refused it, so one plain request asks:
  // a 429 (too many open streams) shows the server's message and waits its Retry-After.
  function retry() {
    fetch(root.dataset.stream + "&once=1", { credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 429) {
          if (response.body) response.body.cancel();
          window.setTimeout(connect, 3000);
          return null;
        }
        var wait = parseInt(response.headers.get("Retry-After") || "15", 10) || 15;
        return response.text().then(function (text) {
          refused(text);
          window.setTimeout(connect, wait * 1000);
        });
      })
      .catch(function () { window.setTimeout(connect, 3000); });
  }

  function connect() {
    var source = new EventSource(root.dataset.stream);
    source.addEventListener("snapshot", function (event) {
      connection(true);
      render(JSON.parse(event.data));
    });
    source.onerror = function () {
      connection(false);
      if (source.readyState === EventSource.CLOSED) {  // the browser gave up: ask why, retry
        source.close();
        retry();
      }
    };
  }
  connect();
})();
