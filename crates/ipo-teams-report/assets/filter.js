(function () {
  "use strict";
  // Filters the people table by type, action, problem and name. The page is complete
  // without this script: the controls stay hidden and every line shows.
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = document.querySelectorAll("#people tbody tr");
  var shown = document.getElementById("shown");
  function apply() {
    var t = form.elements.type.value, a = form.elements.action.value;
    var p = form.elements.problem.value, q = form.elements.q.value.trim().toLowerCase();
    var n = 0;
    for (var i = 0; i < rows.length; i++) {
      var d = rows[i].dataset;
      var ok = (!t || d.current === t || d.target === t) && (!a || d.action === a) &&
        (!p || (" " + d.problems + " ").indexOf(" " + p + " ") >= 0) &&
        (!q || d.search.indexOf(q) >= 0);
      rows[i].hidden = !ok;
      if (ok) { n++; }
    }
    shown.textContent = String(n);
  }
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
