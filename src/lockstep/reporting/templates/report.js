// Lockstep report: network view and account cards. All data is read from a JSON block and written into the
// page with textContent only: post and profile text never becomes markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lockstep-data").textContent);
  var cards = data.cards || {};
  var panel = document.getElementById("card");

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function visible(text) {
    if (text === undefined || text === null) { return ""; }
    return String(text).replace(/[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g,
      function (c) { return "[U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "]"; });
  }

  function showCard(id) {
    var c = cards[id];
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    if (!c) { panel.appendChild(el("p", "No card for " + visible(id))); return; }
    panel.appendChild(el("h3", visible(c.handle ? "@" + c.handle : c.account)));
    var dl = el("dl");
    [["account id", c.account], ["name", c.name], ["bio", c.bio], ["location", c.location],
     ["created", c.created || "unknown"], ["followers", c.followers === null ? "unknown" : c.followers],
     ["campaign", c.campaign ? "#" + c.campaign : "none (community " + c.community + ")"],
     ["strength", c.strength], ["eigenvector", c.eigenvector], ["core", c.core ? "yes" : "no"]]
      .forEach(function (kv) {
        if (kv[1] === null || kv[1] === undefined || kv[1] === "") { return; }
        dl.appendChild(el("dt", kv[0])); dl.appendChild(el("dd", visible(kv[1])));
      });
    panel.appendChild(dl);
    panel.appendChild(el("h4", "Why: strongest links (partner, shared items)"));
    var ul = el("ul");
    (c.links || []).forEach(function (l) {
      var li = el("li");
      var who = el("a", visible(l.handle ? "@" + l.handle : l.account));
      who.href = "#card";
      who.setAttribute("data-partner", l.account);
      who.addEventListener("click", function (ev) { ev.preventDefault(); showCard(String(l.account)); });
      li.appendChild(who);
      li.appendChild(document.createTextNode(": " + l.traces.join(", ") + "; weight " + l.weight + ", " +
        l.shared_items + " shared items, min gap " + Math.round(l.min_gap_s) + " s"));
      if ((l.items || []).length) {
        var items = el("ul", null, "items");
        l.items.forEach(function (it) {
          items.appendChild(el("li", "[" + it.trace + "] " + visible(it.item) + " (" + Math.round(it.gap_s) + " s apart)"));
        });
        li.appendChild(items);
      }
      ul.appendChild(li);
    });
    panel.appendChild(ul);
    if ((c.signals || []).length) {
      panel.appendChild(el("h4", "Signals fired"));
      var us = el("ul");
      c.signals.forEach(function (s) {
        us.appendChild(el("li", s.signal + ": " + (s.value === null ? "-" : Number(s.value).toFixed(3)) +
          (s.baseline === null ? "" : " (baseline " + Number(s.baseline).toFixed(3) + ")")));
      });
      panel.appendChild(us);
    }
    panel.setAttribute("data-account", id);
  }

  var view = { mode: "none", nodeScreenPosition: function () { return null; }, showCard: showCard };
  window.lockstepView = view;
  var container = document.getElementById("graph");
  var fallback = document.getElementById("graph-fallback");

  function useFallback(reason) {
    view.mode = "svg";
    container.style.display = "none";
    fallback.style.display = "block";
    document.getElementById("graph-mode").textContent = "static view (" + reason + ")";
    fallback.querySelectorAll("circle[data-id]").forEach(function (c) {
      c.style.cursor = "pointer";
      c.addEventListener("click", function () { showCard(c.getAttribute("data-id")); });
    });
    view.nodeScreenPosition = function (id) {
      var found = null;
      fallback.querySelectorAll("circle[data-id]").forEach(function (c) {
        if (c.getAttribute("data-id") === id) { found = c; }
      });
      if (!found) { return null; }
      var r = found.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    };
  }

  if (!data.graph.nodes.length) {
    container.style.display = "none";
    return;
  }
  try {
    var V = window.LockstepVendor;
    var probe = document.createElement("canvas");
    if (!(probe.getContext("webgl2") || probe.getContext("webgl"))) { throw new Error("no WebGL"); }
    var g = new V.Graph();
    data.graph.nodes.forEach(function (n) {
      g.addNode(n.id, { x: n.x, y: -n.y, size: 3 + Math.min(6, Math.sqrt(n.strength)), label: n.label,
                        color: n.color });
    });
    data.graph.edges.forEach(function (e, i) {
      g.addEdgeWithKey("e" + i, e.source, e.target,
        { size: e.inter ? 0.5 : Math.min(3, 0.5 + e.weight), color: e.color });
    });
    var renderer = new V.Sigma(g, container, { renderLabels: true, labelRenderedSizeThreshold: 4 });
    renderer.on("clickNode", function (ev) { showCard(ev.node); });
    // Cluster labels: one tag per campaign above its accounts, moved with the camera.
    var tags = (data.graph.communities || []).map(function (cm) {
      var members = data.graph.nodes.filter(function (n) { return n.community === cm.community; });
      // many campaigns: short "#N" tags (the legend above names them), else number and name
      var many = data.graph.communities.length > 6;
      var tag = el("div", "#" + cm.rank + (many ? "" : " " + visible(cm.name)), "cluster-tag");
      tag.title = "#" + cm.rank + " " + visible(cm.name);
      tag.style.color = cm.color;
      container.appendChild(tag);
      return { tag: tag, members: members };
    });
    function placeTags() {
      var w = container.clientWidth;
      tags.forEach(function (t) {
        if (!t.members.length) { return; }
        var xs = 0, top = Infinity;
        t.members.forEach(function (n) {
          var p = renderer.graphToViewport({ x: g.getNodeAttribute(n.id, "x"), y: g.getNodeAttribute(n.id, "y") });
          xs += p.x; top = Math.min(top, p.y);
        });
        var x = xs / t.members.length, tw = t.tag.offsetWidth;
        t.tag.style.left = Math.max(2, Math.min(w - tw - 2, x - tw / 2)) + "px";
        t.tag.style.top = Math.max(2, top - 26) + "px";
      });
      // hide a tag that would cover a higher-ranked one (zoom in to see it)
      var placed = [];
      tags.forEach(function (t) {
        t.tag.style.visibility = "visible";
        var r = { l: parseFloat(t.tag.style.left), t: parseFloat(t.tag.style.top),
                  w: t.tag.offsetWidth, h: t.tag.offsetHeight };
        var hit = placed.some(function (p) {
          return r.l < p.l + p.w && p.l < r.l + r.w && r.t < p.t + p.h && p.t < r.t + r.h;
        });
        if (hit) { t.tag.style.visibility = "hidden"; } else { placed.push(r); }
      });
    }
    renderer.on("afterRender", placeTags);
    placeTags();
    view.mode = "webgl";
    view.renderer = renderer;
    document.getElementById("graph-mode").textContent = "interactive view: scroll to zoom, drag to pan, click a node";
    view.nodeScreenPosition = function (id) {
      if (!g.hasNode(id)) { return null; }
      var a = g.getNodeAttributes(id);
      var p = renderer.graphToViewport({ x: a.x, y: a.y });
      var r = container.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    };
  } catch (err) {
    useFallback(err && err.message ? err.message : "interactive view unavailable");
  }
  document.querySelectorAll("[data-card]").forEach(function (a) {
    a.addEventListener("click", function (ev) { ev.preventDefault(); showCard(a.getAttribute("data-card")); });
  });
})();
