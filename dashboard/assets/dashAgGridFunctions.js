// Functions the AG Grid tables call by name (dash-ag-grid puts this namespace in scope).
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

// A number with the page language's separators (layouts.tables.number_formatter gives them,
// from CLDR), without the browser's locale: angka(1234567.5, 1, ".", ",") -> "1,234,567.5".
// decimals: fixed number of decimals (default 0); null/undefined/"" -> "".
dagfuncs.angka = function (value, decimals, decimal, group) {
  if (value === null || value === undefined || value === "") {
    return "";
  }
  var number = Number(value);
  if (!isFinite(number)) {
    return String(value);
  }
  var places = decimals === undefined ? 0 : decimals;
  var magnitude = Math.abs(number);
  var fixed = magnitude.toFixed(places);
  // toFixed rounds an exact half up; the pages' Python (Babel on the float's exact value)
  // rounds it to even: 1234.5 -> "1234", 0.25 -> "0.2" at one decimal
  var scaled = magnitude * Math.pow(10, places);
  var below = Math.floor(scaled);
  if (scaled - below === 0.5 && below % 2 === 0) {
    fixed = (below / Math.pow(10, places)).toFixed(places);
  }
  var parts = fixed.split(".");
  var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, group);
  var negative = number < 0 && Number(fixed) !== 0;
  return (negative ? "-" : "") + whole + (parts.length > 1 ? decimal + parts[1] : "");
};

// Indonesian: 1234567.5 -> "1.234.567,5".
dagfuncs.angkaID = function (value, decimals) {
  return dagfuncs.angka(value, decimals, ",", ".");
};
