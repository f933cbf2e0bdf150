// Progressive enhancement of the inspection form: while the inspector types, the form is
// posted to the server's preview endpoint and the rule checks it renders are swapped in next
// to each field. The rules are judged on the server only; without this script the "Check"
// button gives the same result after submitting.
(function () {
  "use strict";
  var form = document.getElementById("inspection-form");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var url = form.getAttribute("data-preview");
  var timer = null;
  var seq = 0;
  function refresh() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        if (!html || mine !== seq) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelectorAll("[data-checks]");
        for (var i = 0; i < fresh.length; i++) {
          var key = fresh[i].getAttribute("data-checks");
          var here = form.querySelectorAll("[data-checks]");
          for (var j = 0; j < here.length; j++) {
            if (here[j].getAttribute("data-checks") === key) { here[j].innerHTML = fresh[i].innerHTML; }
          }
        }
      })
      .catch(function () {});
  }
  form.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 400);
  });
})();
