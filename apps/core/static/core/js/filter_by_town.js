/* A community select (村（居）) lists only the communities of the town chosen in the same form.
   Options carry data-town (apps.core.widgets.TownTaggedSelect); the town select is the sibling field
   whose name ends in "town" with the same prefix. No library, no CDN. */
(function () {
  "use strict";
  function townSelectFor(select) {
    var prefix = select.name.replace(/community$/, "");
    return select.form && select.form.querySelector('select[name="' + prefix + 'town"]');
  }
  function narrow(select, town) {
    Array.prototype.forEach.call(select.options, function (option) {
      var keep = !option.value || !town || option.getAttribute("data-town") === town;
      option.hidden = !keep;
      option.disabled = !keep;
      if (!keep && option.selected) { select.value = ""; }
    });
  }
  function wire(select) {
    var town = townSelectFor(select);
    if (!town) { return; }
    narrow(select, town.value);
    town.addEventListener("change", function () { narrow(select, town.value); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-filter-by-town]"), wire);
  });
})();
