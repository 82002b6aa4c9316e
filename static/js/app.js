// Guestbook's only script: live search as you type, the idle lock for shared tablets, and the
// briefing's remembered cards/list choice.
// No build step, no inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function liveSearch(form) {
    var input = form.querySelector("input[type=search]");
    var target = document.getElementById("results");
    var url = form.getAttribute("data-live-search");
    var timer = null;
    var seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq;
        var q = input.value.trim();
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
          .then(function (r) {
            if (r.status === 429) { return r.text(); } // rate limit: the server's message says when to retry
            if (r.redirected || !r.ok) { window.location.reload(); return null; }
            return r.text();
          })
          .then(function (html) {
            if (html !== null && mine === seq) {
              target.innerHTML = html; // server-rendered, auto-escaped by Jinja
              history.replaceState(null, "", "?q=" + encodeURIComponent(q));
            }
          });
      }, 180);
    });
  }

  function idleLock(seconds) {
    // The server enforces the lock; this locks the session now (a POST with the page's CSRF token:
    // a GET never changes state) and moves the screen there, so a guest never sees a card.
    var last = Date.now();
    var locking = false;
    ["pointerdown", "keydown", "touchstart", "scroll"].forEach(function (ev) {
      window.addEventListener(ev, function () { last = Date.now(); }, { passive: true });
    });
    setInterval(function () {
      if (locking || Date.now() - last <= seconds * 1000 || /\/unlock/.test(location.pathname)) { return; }
      locking = true;
      var next = "/unlock?next=" + encodeURIComponent(location.pathname + location.search);
      var meta = document.querySelector("meta[name=csrf-token]");
      fetch("/lock", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": meta ? meta.getAttribute("content") : "", "X-Requested-With": "fetch" }
      }).then(
        function () { location.href = next; },
        function () { location.href = next; } // offline: the server locks by time on the next request anyway
      );
    }, 1000);
  }

  function briefingView(section) {
    // The tablet remembers cards or list (localStorage); ?view= in the address always wins.
    var key = "guestbook.briefing.view";
    var stored = null;
    try { stored = window.localStorage.getItem(key); } catch (e) { return; } // storage off: links still work
    document.querySelectorAll("a[data-briefing-view]").forEach(function (link) {
      link.addEventListener("click", function () {
        try { window.localStorage.setItem(key, link.getAttribute("data-briefing-view")); } catch (e) { /* ignore */ }
      });
    });
    var current = section.getAttribute("data-briefing-view-current");
    if (!section.hasAttribute("data-briefing-view-chosen") && (stored === "list" || stored === "cards") && stored !== current) {
      var params = new URLSearchParams(location.search);
      params.set("view", stored);
      location.replace(location.pathname + "?" + params.toString());
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var briefing = document.querySelector("[data-briefing-view-current]");
    if (briefing) { briefingView(briefing); }
    var form = document.querySelector("form[data-live-search]");
    if (form) { liveSearch(form); }
    var meta = document.querySelector("meta[name=idle-lock-seconds]");
    if (meta) { idleLock(parseFloat(meta.getAttribute("content"))); }
  });
})();
