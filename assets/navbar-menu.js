/* The navbar's menu on narrow screens (dashboard/components/navbar.py): the toggler opens and
   closes it, and any navigation closes it (Dash's links change the page without reloading it,
   which would leave the menu open above the new page). A file rather than an inline script:
   no script hash for the Content-Security-Policy, and nothing shared between apps built in
   one process. */
(function () {
  "use strict";
  var clientside = (window.dash_clientside = window.dash_clientside || {});
  clientside.clinicops = Object.assign(clientside.clinicops || {}, {
    toggleNavbarMenu: function (_clicks, _href, isOpen, togglerId) {
      var trigger = window.dash_clientside.callback_context.triggered_id;
      return trigger === togglerId ? !isOpen : false;
    },
  });
})();
