// Live reload for `permcat serve` (never part of a built site): polls the server's
// build status once a second, reloads the page when a new build is in, and shows the
// build error in a banner while the data does not load.
(function () {
  "use strict";
  var script = document.currentScript;
  // The build this page was served from, so a rebuild between serving and the first
  // poll is not missed.
  var seen = script && script.dataset.build ? Number(script.dataset.build) : null;
  var banner = null;

  function show(error) {
    if (!error) {
      if (banner) {
        banner.remove();
        banner = null;
      }
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "permcat-build-error";
      banner.setAttribute("role", "alert");
      var title = document.createElement("strong");
      title.textContent = "Build failed — showing the last good site.";
      var text = document.createElement("pre");
      banner.appendChild(title);
      banner.appendChild(text);
      document.body.appendChild(banner);
    }
    banner.querySelector("pre").textContent = error;
  }

  function poll() {
    fetch("/__permcat/status", { cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(function (status) {
        if (seen === null) {
          seen = status.build;
        } else if (status.build !== seen) {
          window.location.reload();
          return;
        }
        show(status.error);
      })
      .catch(function () {
        // The server is restarting or gone: keep the page and try again.
      })
      .finally(function () {
        window.setTimeout(poll, 1000);
      });
  }

  poll();
})();
