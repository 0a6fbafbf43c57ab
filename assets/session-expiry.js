/* A session that ends while a page is open (signed out in another tab, expired, the account
   disabled): the server answers Dash's requests with 401 (dashboard/auth.py). Dash's renderer
   has no use for that answer (it throws "body stream already read" reading it twice, and the
   panels stay as they were), so the page is reloaded instead: the server sends the reload to
   the sign-in page with this page as the one to come back to. Dash gets an empty 204 ("no
   update") meanwhile, for this 401 and for every other one that arrives before the page is
   gone (one filter change fires several callbacks at once). At most one reload per ten
   seconds, so a server that refuses a session it has just let in cannot start a loop. */
(function () {
  "use strict";
  var fetch = window.fetch;
  var KEY = "clinicops-session-reload";
  var reloading = false;
  function isDashRequest(input) {
    var url = typeof input === "string" ? input : input && input.url;
    return typeof url === "string" && url.indexOf("/_dash-") !== -1;
  }
  window.fetch = function (input, init) {
    return fetch.apply(this, arguments).then(function (response) {
      if (response.status !== 401 || !isDashRequest(input)) {
        return response;
      }
      if (reloading) {
        return new Response(null, { status: 204 });
      }
      var last = Number(window.sessionStorage.getItem(KEY) || 0);
      if (Date.now() - last < 10000) {
        return response;
      }
      window.sessionStorage.setItem(KEY, String(Date.now()));
      reloading = true;
      window.location.reload();
      return new Response(null, { status: 204 });
    });
  };
})();
