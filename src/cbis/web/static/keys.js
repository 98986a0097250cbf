// Keyboard shortcuts, without changing what the pages do: the left and right arrows follow the page's
// rel="prev" / rel="next" link (previous/next image, or result page), "/" focuses the label filter.
"use strict";
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
    return;
  }
  var target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName))) {
    return;
  }
  var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
  if (rel) {
    var link = document.querySelector('a[rel~="' + rel + '"]');
    if (link) {
      event.preventDefault();
      link.click();
    }
  } else if (event.key === "/") {
    var field = document.getElementById("f-label");
    if (field) {
      event.preventDefault();
      field.focus();
      field.select();
    }
  }
});
