/* The compare picker by keyboard: search first, the results as a listbox, the chosen areas as
 * chips (ARIA combobox with a listbox popup that is always open).
 *
 * The form itself stays the plain GET form with one checkbox per area: without JavaScript those
 * checkboxes are the picker. With JavaScript they are hidden and kept as the form's state; the
 * listbox and the chips only check and uncheck them, so submitting sends the same URL.
 *
 * Keys in the search box: ArrowDown/ArrowUp move through the results, Home/End to the first or
 * last, Enter adds or removes the active result, Escape clears the search. Enter without an
 * active result submits the form.
 */
(function () {
  "use strict";

  function setup(form) {
    var input = form.querySelector("[role=combobox]");
    var listbox = form.querySelector("[role=listbox]");
    var chips = form.querySelector("[data-chips]");
    var count = form.querySelector("[data-chosen-count]");
    var status = form.querySelector("[data-picker-status]");
    var max = Number(form.getAttribute("data-max")) || 6;
    var noun = form.getAttribute("data-noun") || "wijken";
    if (!input || !listbox || !chips) return;

    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name]"));
    // The order of the chips is the order of choosing: first what the page came with.
    var order = Array.prototype.map.call(chips.querySelectorAll("[data-code]"), function (chip) {
      return chip.getAttribute("data-code");
    });
    boxes.forEach(function (box) {
      if (box.checked && order.indexOf(box.value) === -1) order.push(box.value);
    });
    var active = -1;
    var shown = [];

    function boxOf(code) {
      for (var i = 0; i < boxes.length; i++) if (boxes[i].value === code) return boxes[i];
      return null;
    }
    function labelOf(box) {
      return box.getAttribute("data-label") || box.value;
    }
    function say(text) {
      if (!status) return;
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }

    function renderOptions() {
      var needle = input.value.trim().toLowerCase();
      listbox.textContent = "";
      shown = boxes.filter(function (box) {
        var name = (box.closest("label") && box.closest("label").getAttribute("data-name")) || "";
        return !needle || name.indexOf(needle) !== -1;
      });
      shown.forEach(function (box, index) {
        var option = document.createElement("li");
        option.id = "optie-" + box.value;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", box.checked ? "true" : "false");
        option.className = "picker-option" + (index === active ? " active" : "");
        option.setAttribute("data-index", String(index));
        option.appendChild(document.createTextNode(labelOf(box) + " "));
        var code = document.createElement("span");
        code.className = "muted code";
        code.textContent = box.value;
        option.appendChild(code);
        listbox.appendChild(option);
      });
      if (!shown.length) {
        var none = document.createElement("li");
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.setAttribute("aria-selected", "false");
        none.className = "picker-option none";
        none.textContent = "Niets gevonden voor “" + input.value.trim() + "”.";
        listbox.appendChild(none);
      }
      markActive();
    }

    function markActive() {
      var options = listbox.querySelectorAll("[data-index]");
      Array.prototype.forEach.call(options, function (option) {
        option.classList.toggle("active", Number(option.getAttribute("data-index")) === active);
      });
      if (active >= 0 && shown[active]) {
        var el = document.getElementById("optie-" + shown[active].value);
        input.setAttribute("aria-activedescendant", el.id);
        el.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function renderChips() {
      chips.textContent = "";
      order.forEach(function (code) {
        var box = boxOf(code);
        if (!box) return;
        var chip = document.createElement("li");
        chip.className = "chip";
        chip.setAttribute("data-code", code);
        var name = document.createElement("span");
        name.textContent = labelOf(box);
        chip.appendChild(name);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "remove";
        remove.setAttribute("aria-label", labelOf(box) + " weghalen");
        remove.setAttribute("data-remove", code);
        remove.textContent = "×";
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      if (!order.length) {
        var empty = document.createElement("li");
        empty.className = "chips-empty muted small";
        empty.textContent = "Nog niets gekozen.";
        chips.appendChild(empty);
      }
      if (count) count.textContent = String(order.length);
    }

    function toggle(box) {
      var name = labelOf(box);
      if (box.checked) {
        box.checked = false;
        order = order.filter(function (code) {
          return code !== box.value;
        });
        say(name + " weggehaald; " + order.length + " gekozen.");
      } else if (order.length >= max) {
        say("Hoogstens " + max + " " + noun + ". Haal er eerst een weg.");
        return;
      } else {
        box.checked = true;
        order.push(box.value);
        say(
          name +
            " toegevoegd; " +
            order.length +
            " gekozen." +
            (order.length >= 2 ? " Druk op Vergelijk om te vergelijken." : "")
        );
      }
      renderChips();
      renderOptions();
    }

    function move(to) {
      if (!shown.length) return;
      active = Math.max(0, Math.min(shown.length - 1, to));
      markActive();
    }

    input.addEventListener("input", function () {
      active = input.value.trim() ? 0 : -1;
      renderOptions();
    });
    input.addEventListener("keydown", function (event) {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          move(active + 1);
          break;
        case "ArrowUp":
          event.preventDefault();
          move(active - 1);
          break;
        case "Home":
        case "End":
          if (!shown.length || event.shiftKey) return;
          event.preventDefault();
          move(event.key === "Home" ? 0 : shown.length - 1);
          break;
        case "Enter":
          if (active >= 0 && shown[active]) {
            event.preventDefault();
            toggle(shown[active]);
          }
          break;
        case "Escape":
          if (input.value) {
            event.preventDefault();
            input.value = "";
            active = -1;
            renderOptions();
          }
          break;
      }
    });
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep focus in the search box
    });
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[data-index]");
      if (!option) return;
      active = Number(option.getAttribute("data-index"));
      toggle(shown[active]);
      input.focus();
    });
    chips.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove]");
      if (!button) return;
      var code = button.getAttribute("data-remove");
      var position = order.indexOf(code);
      var box = boxOf(code);
      if (box) toggle(box);
      // Focus goes to the next chip's remove button, or back to the search box.
      var buttons = chips.querySelectorAll("[data-remove]");
      var next = buttons[Math.min(position, buttons.length - 1)];
      (next || input).focus();
    });

    renderChips();
    renderOptions();
  }

  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-picker]"), setup);
  });
})();
