// vigie web UI: live updates on top of pages that work without this script.
// - Alarms: the table body is replaced whenever the server-sent "alarms" event arrives.
// - Events: rows of new events are prepended on the "events" event.
// - Status: the status table is fetched again every 5 seconds.
"use strict";

(function () {
  function liveState(text, on) {
    document.querySelectorAll("[data-live-state]").forEach(function (el) {
      el.textContent = text;
      el.classList.toggle("off", !on);
    });
  }

  // Reconnects after the server ends a stream (every few minutes, or at a restart).
  function follow(makeUrl, handlers) {
    var source = new EventSource(makeUrl());
    source.onopen = function () { liveState("updates live", true); };
    Object.keys(handlers).forEach(function (name) {
      source.addEventListener(name, function (event) {
        handlers[name](event);
        liveState("updates live", true);
      });
    });
    source.onerror = function () {
      source.close();
      liveState("reconnecting…", false);
      setTimeout(function () { follow(makeUrl, handlers); }, 2000);
    };
  }

  function alarms(body) {
    follow(function () { return body.dataset.liveAlarms; }, {
      alarms: function (event) { body.innerHTML = event.data; }
    });
  }

  function events(body) {
    follow(function () { return body.dataset.liveEvents + "?after=" + encodeURIComponent(body.dataset.after || "0"); }, {
      events: function (event) {
        var empty = body.querySelector("tr.emptyrow");
        if (empty) { empty.remove(); }
        body.insertAdjacentHTML("afterbegin", event.data);
        if (event.lastEventId) { body.dataset.after = event.lastEventId; }
      }
    });
  }

  function refresh(box) {
    setInterval(function () {
      fetch(box.dataset.refresh, { credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) { box.innerHTML = html; liveState("refreshed every 5 s", true); })
        .catch(function () { liveState("refresh failed, retrying", false); });
    }, 5000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.querySelector("[data-live-alarms]");
    if (body && window.EventSource) { alarms(body); }
    body = document.querySelector("[data-live-events]");
    if (body && window.EventSource) { events(body); }
    var box = document.querySelector("[data-refresh]");
    if (box && window.fetch) { refresh(box); }
    // "…" menus: Escape closes the open one and gives the focus back to its button; opening
    // one closes the others (the <details> element does the rest, keyboard included).
    var menus = document.querySelectorAll("details.menu");
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) { return; }
        menus.forEach(function (other) { if (other !== menu) { other.open = false; } });
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key !== "Escape" || !menu.open) { return; }
        menu.open = false;
        var summary = menu.querySelector("summary");
        if (summary) { summary.focus(); }
      });
    });
    // A PEM file chosen in the Trust Store's form fills its text area.
    document.querySelectorAll("input[data-pem-into]").forEach(function (input) {
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        var target = document.getElementById(input.dataset.pemInto);
        if (!file || !target || !window.FileReader) { return; }
        var reader = new FileReader();
        reader.onload = function () { target.value = String(reader.result); };
        reader.readAsText(file);
      });
    });
  });
})();
