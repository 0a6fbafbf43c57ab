/* Start loading plotly.js with the page. Dash's chart component otherwise asks for it only
   once the first chart's data has arrived, which puts ~4.7 MB of script in the critical path
   after the callbacks instead of beside them. Until the script has run, window.Plotly is a
   thenable: Dash's loader awaits it (Promise.resolve adopts it) instead of adding a second
   copy of the script; plotly.js then replaces it with itself (`window.Plotly = Plotly`). */
(function () {
  "use strict";
  if (window.Plotly) {
    return;
  }
  var config = document.getElementById("_dash-config");
  var prefix = "/";
  try {
    prefix = JSON.parse(config.textContent).requests_pathname_prefix || "/";
  } catch (error) {
    prefix = "/";
  }
  var loaded = new Promise(function (resolve, reject) {
    var script = document.createElement("script");
    script.src = prefix + "_dash-component-suites/plotly/package_data/plotly.min.js";
    script.async = true;
    script.onload = function () {
      resolve(window.Plotly);
    };
    script.onerror = reject;
    document.head.appendChild(script);
  });
  window.Plotly = {
    then: function (onLoaded, onFailed) {
      return loaded.then(onLoaded, onFailed);
    },
  };
})();
