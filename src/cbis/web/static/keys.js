// Keyboard shortcuts, without changing what the pages do: every key submits a plain form or follows a link the
// page already has, so everything still works without JavaScript.
//
// Everywhere: "/" focuses the label filter. Image page: the left and right arrows follow rel="prev" / rel="next"
// (previous / next image); the number keys 0-9 set the category of that order (CAT-0..CAT-5, then the case's
// own) and move on to the next image; "t" adds a tag, "n" sets the note, "u" or ctrl-z undoes the last change.
// Gallery: the arrows move between tiles (shift-arrow, like shift-click, selects many), Enter opens one, and the
// same keys act on the selected tiles (or the current one); past the first or last tile the arrows turn the page.
"use strict";
(function () {
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName));
  }

  function submit(form, button) {
    if (!form) {
      return false;
    }
    if (form.requestSubmit) {
      form.requestSubmit(button || undefined);
    } else if (button) {
      button.click();
    } else {
      form.submit();
    }
    return true;
  }

  function follow(rel) {
    var link = document.querySelector('a[rel~="' + rel + '"]');
    if (link) {
      link.click();
    }
    return !!link;
  }

  // --- the gallery's tiles: a cursor, and a selection kept in the tiles' checkboxes (the bulk form's) ---
  var tiles = Array.prototype.slice.call(document.querySelectorAll(".grid .tile[data-file]"));
  var cursor = -1;
  var anchor = -1;

  function box(index) {
    return tiles[index].querySelector('input[name="file"]');
  }

  function mark(index, on) {
    var check = box(index);
    if (check) {
      check.checked = on;
    }
    tiles[index].classList.toggle("selected", on);
  }

  function selectRange(from, to) {
    var low = Math.min(from, to);
    var high = Math.max(from, to);
    for (var i = 0; i < tiles.length; i += 1) {
      mark(i, i >= low && i <= high);
    }
  }

  function moveTo(index) {
    if (cursor >= 0) {
      tiles[cursor].classList.remove("current");
    }
    cursor = index;
    tiles[index].classList.add("current");
    tiles[index].scrollIntoView({ block: "nearest" });
  }

  function rowStep(direction) {
    // The next tile straight above or below the cursor's in the grid (the grid wraps with the window).
    var here = tiles[cursor].getBoundingClientRect();
    for (var i = cursor + direction; i >= 0 && i < tiles.length; i += direction) {
      var there = tiles[i].getBoundingClientRect();
      if (Math.abs(there.left - here.left) < 2 && there.top !== here.top) {
        return i;
      }
    }
    return -1;
  }

  tiles.forEach(function (tile, index) {
    var check = box(index);
    if (check) {
      check.addEventListener("change", function () {
        tile.classList.toggle("selected", check.checked);
        anchor = index;
      });
    }
    tile.addEventListener("click", function (event) {
      if (!event.shiftKey || !check) {
        return;
      }
      event.preventDefault(); // shift-click selects instead of opening the image
      if (anchor >= 0) {
        selectRange(anchor, index);
      } else {
        mark(index, !check.checked);
        anchor = index;
      }
      moveTo(index);
    });
  });

  function gallerySelection() {
    // The selected tiles, or else the current one (selected now, so the form sends it).
    var any = tiles.some(function (tile, index) {
      var check = box(index);
      return check && check.checked;
    });
    if (!any && cursor >= 0) {
      mark(cursor, true);
      any = true;
    }
    return any;
  }

  function galleryArrow(event) {
    var step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: 0, ArrowDown: 0 }[event.key];
    var next;
    if (cursor < 0) {
      next = 0;
    } else if (step) {
      next = cursor + step;
    } else {
      next = rowStep(event.key === "ArrowUp" ? -1 : 1);
    }
    if (next < 0 || next >= tiles.length) {
      if (!event.shiftKey && step) {
        follow(step < 0 ? "prev" : "next");
      }
      return;
    }
    if (event.shiftKey) {
      if (anchor < 0) {
        anchor = cursor >= 0 ? cursor : next;
      }
      selectRange(anchor, next);
    } else {
      anchor = next;
    }
    moveTo(next);
  }

  // --- the review forms of the page ---
  var single = document.getElementById("review-category-form"); // the image page
  var bulk = document.getElementById("review-bulk"); // the gallery

  function setCategory(key) {
    var form = single || bulk;
    var button = form && form.querySelector('button[data-key="' + key + '"]');
    if (!button || (bulk && !single && !gallerySelection())) {
      return false;
    }
    return submit(form, button);
  }

  function addTag() {
    var field = document.getElementById(single ? "review-tag" : "review-bulk-tag");
    if (!field || (!single && !gallerySelection())) {
      return false;
    }
    var tag = window.prompt(single ? "Tag this image:" : "Tag the selected images:");
    if (tag === null || !tag.trim()) {
      return true;
    }
    field.value = tag.trim();
    if (single) {
      return submit(document.getElementById("review-tag-form"));
    }
    return submit(bulk, bulk.querySelector('button[name="kind"][value="tag_add"]'));
  }

  function setNote() {
    var field = document.getElementById("review-note");
    if (!field) {
      return false;
    }
    var note = window.prompt("Note on this image (empty clears it):", field.value);
    if (note !== null) {
      field.value = note;
      submit(document.getElementById("review-note-form"));
    }
    return true;
  }

  function undo() {
    if (single) {
      return submit(document.getElementById("review-undo-form"));
    }
    return !!bulk && submit(bulk, bulk.querySelector('button[name="kind"][value="undo"]'));
  }

  document.addEventListener("keydown", function (event) {
    if (typing(event.target) || event.altKey || event.metaKey) {
      return;
    }
    var handled = false;
    if (event.ctrlKey) {
      handled = event.key === "z" && !event.shiftKey && undo();
    } else if (/^[0-9]$/.test(event.key) && !event.shiftKey) {
      handled = setCategory(event.key);
    } else if (event.key === "t" || event.key === "T") {
      handled = addTag();
    } else if (event.key === "n" || event.key === "N") {
      handled = setNote();
    } else if (event.key === "u" || event.key === "U") {
      handled = undo();
    } else if (/^Arrow(Left|Right|Up|Down)$/.test(event.key) && tiles.length) {
      galleryArrow(event);
      handled = true;
    } else if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && !event.shiftKey) {
      handled = follow(event.key === "ArrowLeft" ? "prev" : "next");
    } else if (event.key === "Enter" && cursor >= 0) {
      var link = tiles[cursor].querySelector("a.name");
      handled = !!link && (link.click(), true);
    } else if (event.key === "/") {
      var field = document.getElementById("f-label");
      if (field) {
        field.focus();
        field.select();
        handled = true;
      }
    }
    if (handled) {
      event.preventDefault();
    }
  });
})();
