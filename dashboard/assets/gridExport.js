// "CSV seperti tampil": the rows a grid shows right now (after its own column filters and
// sorting) as CSV, built in the browser by AG Grid. Cells keep their plain values (numbers
// without Indonesian formatting, times in ISO 8601 UTC) and the headers are the stable column
// names, like the server's CSV. Any element with data-grid-export="<grid id>" triggers it.
(function () {
  // a village name shown as a markdown link to its profile exports as the name alone
  var MARKDOWN_LINK = /^\[(.*)\]\([^)]*\)$/;

  // issue 10: text a spreadsheet would run as a formula gets a leading quote (OWASP), as in
  // the server's CSV (layouts/safe_cells.py); numbers, and text that is a plain number, stay
  var FORMULA_START = /^[=+\-@\t\r]/;
  var PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

  function inert(text) {
    return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? "'" + text : text;
  }

  function plain(value) {
    if (value === null || value === undefined) {
      return "";
    }
    if (typeof value === "string") {
      var link = MARKDOWN_LINK.exec(value);
      return inert(link ? link[1] : value);
    }
    return value;
  }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest ? event.target.closest("[data-grid-export]") : null;
    if (!trigger || !window.dash_ag_grid) {
      return;
    }
    event.preventDefault();
    var gridId = trigger.getAttribute("data-grid-export");
    var fileName = trigger.getAttribute("data-file") || gridId + ".csv";
    window.dash_ag_grid.getApiAsync(gridId).then(function (api) {
      api.exportDataAsCsv({
        fileName: fileName,
        processCellCallback: function (params) {
          return plain(params.value);
        },
        processHeaderCallback: function (params) {
          return params.column.getColDef().field;
        },
      });
    });
  });
})();
