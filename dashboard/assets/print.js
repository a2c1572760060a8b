// The print header (issue 13): #cetak-kepala, rendered in the app's shell and shown only in
// print (print.css), says which page, region and choices (what the filter bar shows), how
// fresh (the page's first "data per …" line) and when it was printed. It is kept current
// while the page is open (a print from the browser's menu or from headless Chromium finds it
// filled) and again just before printing, when every AG Grid is laid out whole ("print"), so
// a table prints all its rows, not the ones scrolled into view.
(function () {
  function text(el) {
    return (el && (el.innerText || el.textContent) || "").replace(/\s+/g, " ").trim();
  }

  function choices() {
    var parts = [];
    document.querySelectorAll(".filter-bar label").forEach(function (label) {
      var col = label.parentElement;
      var value = text(col).replace(text(label), "").trim();
      if (value) {
        parts.push(text(label) + ": " + value);
      }
    });
    return parts.join(" · ");
  }

  function freshness(marker) {
    // the first text on the page that says "data per …" (a panel note, a chart's subtitle)
    var main = document.querySelector(".app-main");
    if (!main || !marker) {
      return "";
    }
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      if (node.nodeValue.indexOf(marker) >= 0) {
        var t = text(node.parentElement);
        return t.length < 300 ? t : node.nodeValue.trim();
      }
    }
    return "";
  }

  function fill() {
    var head = document.getElementById("cetak-kepala");
    if (!head) {
      return;
    }
    var lang = document.documentElement.lang || "id";
    var title = document.querySelector(".app-main h1");
    var when = new Date().toLocaleString(lang === "id" ? "id-ID" : "en-GB", {
      timeZone: head.getAttribute("data-zona") || "Asia/Jakarta",
      dateStyle: "medium",
      timeStyle: "short",
    });
    var lines = [
      [".cetak-judul", text(title) || document.title],
      [".cetak-pilihan", choices()],
      [".cetak-segar", freshness(head.getAttribute("data-penanda"))],
      [".cetak-waktu", (head.getAttribute("data-dicetak") || "") + " " + when],
    ];
    lines.forEach(function (pair) {
      var el = head.querySelector(pair[0]);
      if (el && el.textContent !== pair[1]) {
        el.textContent = pair[1];
      }
    });
  }

  var screenLayouts = {}; // grid id -> its domLayout on screen, restored after printing

  function layGrids(printing) {
    if (!window.dash_ag_grid) {
      return;
    }
    document.querySelectorAll(".ag-root-wrapper").forEach(function (el) {
      var host = el.closest("[id]");
      if (!host) {
        return;
      }
      try {
        var api = window.dash_ag_grid.getApi(host.id);
        if (!api) {
          return;
        }
        if (printing) {
          screenLayouts[host.id] = api.getGridOption("domLayout") || "normal";
          api.setGridOption("domLayout", "print");
        } else if (screenLayouts[host.id]) {
          api.setGridOption("domLayout", screenLayouts[host.id]);
        }
      } catch (e) {
        /* a grid not ready yet prints as it is */
      }
    });
  }

  window.addEventListener("beforeprint", function () {
    fill();
    layGrids(true);
  });
  window.addEventListener("afterprint", function () {
    layGrids(false);
  });
  setInterval(fill, 1500);
})();
