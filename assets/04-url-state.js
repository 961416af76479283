/* Keep the page's view in the URL (replaceState: no reload, no history entry per click),
   and apply the user's theme to the whole document. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  stratwatch: {
    syncQuery: function () {
      const values = Array.prototype.slice.call(arguments, 0, -1);
      const keys = arguments[arguments.length - 1] || [];
      const params = new URLSearchParams();
      keys.forEach(function (key, i) {
        let value = values[i];
        if (Array.isArray(value)) { value = value.join(","); }
        if (value !== null && value !== undefined && value !== "") { params.set(key, value); }
      });
      const query = params.toString();
      const url = window.location.pathname + (query ? "?" + query : "");
      if (url !== window.location.pathname + window.location.search) {
        window.history.replaceState(window.history.state, "", url);
      }
      return query;
    },
    applyTheme: function (theme) {
      document.documentElement.setAttribute("data-theme", theme === "dark" ? "dark" : "light");
      return theme;
    }
  }
});
