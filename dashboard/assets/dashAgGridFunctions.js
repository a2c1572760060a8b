// Functions the AG Grid tables call by name (dash-ag-grid puts this namespace in scope).
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

// Indonesian number format without the browser's locale: 1234567.5 -> "1.234.567,5".
// decimals: fixed number of decimals (default 0); null/undefined/"" -> "".
dagfuncs.angkaID = function (value, decimals) {
  if (value === null || value === undefined || value === "") {
    return "";
  }
  var number = Number(value);
  if (!isFinite(number)) {
    return String(value);
  }
  var places = decimals === undefined ? 0 : decimals;
  var fixed = Math.abs(number).toFixed(places);
  var parts = fixed.split(".");
  var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  var negative = number < 0 && Number(fixed) !== 0;
  return (negative ? "-" : "") + whole + (parts.length > 1 ? "," + parts[1] : "");
};
