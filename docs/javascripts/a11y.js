/*
 * Accessible names that Material for MkDocs 9.8.1 leaves out. Its search
 * container has role="dialog" and its instant-navigation progress bar has
 * role="progressbar", both without a name, which screen readers announce as
 * an unnamed dialog or progress bar (axe-core rules aria-dialog-name and
 * aria-progressbar-name).
 */
(function () {
  "use strict";

  var NAMES = [
    ['.md-search[role="dialog"]', "Search"],
    ['.md-progress[role="progressbar"]', "Page loading progress"],
  ];

  function nameUnnamed() {
    NAMES.forEach(function (entry) {
      document.querySelectorAll(entry[0]).forEach(function (element) {
        if (!element.hasAttribute("aria-label")) {
          element.setAttribute("aria-label", entry[1]);
        }
      });
    });
  }

  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(nameUnnamed);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", nameUnnamed);
  } else {
    nameUnnamed();
  }
})();
