(function () {
  "use strict";
  // Filters the people table by type, action, problem, Teams writes and name. The page is
  // complete without this script: the controls stay hidden and every line shows.
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = document.querySelectorAll("#people tbody tr");
  var shown = document.getElementById("shown");
  // A name as a person types it: any case, accents or not ("Zoë", "zoe"), and a space
  // where an address has a dot ("Ella Morgan" finds ella.morgan@...).
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[\s._-]+/g, " ").trim();
  }
  var keys = [];
  for (var k = 0; k < rows.length; k++) { keys.push(fold(rows[k].dataset.search)); }
  function apply() {
    // The Teams filter is there only when a line has a Teams write or hold.
    var f = function (name) { var e = form.elements.namedItem(name); return e ? e.value : ""; };
    var t = f("type"), a = f("action"), p = f("problem"), m = f("teams"), q = fold(f("q"));
    var n = 0;
    for (var i = 0; i < rows.length; i++) {
      var d = rows[i].dataset;
      var ok = (!t || d.current === t || d.target === t) && (!a || d.action === a) &&
        (!p || (" " + d.problems + " ").indexOf(" " + p + " ") >= 0) &&
        (!m || (" " + d.teams + " ").indexOf(" " + m + " ") >= 0) &&
        (!q || keys[i].indexOf(q) >= 0);
      // Touch only the lines that change: with thousands, each write costs a restyle.
      if (rows[i].hidden === ok) { rows[i].hidden = !ok; }
      if (ok) { n++; }
    }
    shown.textContent = String(n);
  }
  // A link can carry filters, e.g. report.html#action=skipped&q=ann: the view to discuss.
  var given = new URLSearchParams(location.hash.slice(1));
  given.forEach(function (v, k) {
    if (form.elements.namedItem(k)) { form.elements.namedItem(k).value = v; }
  });
  apply();
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  var copy = document.getElementById("copy-script");
  var script = document.getElementById("teams-script");
  if (copy && script && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(script.textContent).then(function () {
        copy.textContent = "Copied";
      });
    });
  }
})();
