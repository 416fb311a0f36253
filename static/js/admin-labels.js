// Django's admin renders two kinds of fields without an accessible name: the date and the time
// box of a date-time field ("Date:" and "Time:" are bare text beside them, and the field's label
// points nowhere), and every field of a tabular inline (named only by its column heading). Screen
// readers and voice control then announce "edit text" with no name. This names each such field
// after the words shown beside it; fields that already have a name are left alone. The admin's
// autocomplete boxes get their select's name.
"use strict";
(() => {
  const FIELDS = "input:not([type=hidden]), select, textarea";

  const clean = (text) => (text || "").replace(/\s+/g, " ").replace(/[\s:]+$/, "").trim();

  function hasName(field) {
    if (field.getAttribute("aria-label") || field.getAttribute("aria-labelledby") || field.closest("label")) {
      return true;
    }
    return Boolean(field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`));
  }

  function columnHeading(cell) {
    const match = /(?:^|\s)field-(\S+)/.exec(cell.className);
    const table = cell.closest("table");
    const heading = match && table && table.querySelector(`thead th.column-${CSS.escape(match[1])}`);
    return heading ? clean(heading.textContent) : "";
  }

  function textBefore(field) {
    for (let node = field.previousSibling; node; node = node.previousSibling) {
      if (node.nodeType === Node.ELEMENT_NODE) return "";
      if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) return node.textContent;
    }
    return "";
  }

  function fieldLabel(box) {
    const cell = box.closest("td");
    if (cell) return columnHeading(cell);
    const container = box.closest(".fieldBox, .form-row");
    const label = container && container.querySelector("label");
    return label ? clean(label.textContent) : "";
  }

  function nameFields(root) {
    for (const box of root.querySelectorAll("p.datetime")) {
      const name = fieldLabel(box);
      for (const field of box.querySelectorAll(FIELDS)) {
        const part = clean(textBefore(field));
        if (part && !hasName(field)) field.setAttribute("aria-label", name ? `${name}: ${part}` : part);
      }
    }
    for (const cell of root.querySelectorAll(".tabular td[class*='field-']")) {
      const heading = columnHeading(cell);
      if (!heading) continue;
      for (const field of cell.querySelectorAll(FIELDS)) {
        if (!hasName(field)) field.setAttribute("aria-label", heading);
      }
    }
  }

  // The autocomplete (select2) draws a box of its own, a combobox named by the text it shows,
  // which is nothing until a choice is made: it takes its select's name, and so does its text.
  function nameComboboxes(root) {
    for (const select of root.querySelectorAll("select.admin-autocomplete")) {
      const drawn = select.nextElementSibling;
      const box = drawn && drawn.querySelector(".select2-selection[role=combobox]");
      if (!box || box.getAttribute("aria-label")) continue;
      const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
      const name = clean(select.getAttribute("aria-label") || (label && label.textContent));
      if (!name) continue;
      box.removeAttribute("aria-labelledby");
      box.setAttribute("aria-label", name);
      const shown = box.querySelector("[role=textbox]");
      if (shown) shown.setAttribute("aria-label", name);
    }
  }

  // The two-box selector's help icons carry an aria-label on a bare span, which has no role to
  // name: they are images of the help they describe.
  function roleTooltips(root) {
    for (const icon of root.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
      icon.setAttribute("role", "img");
    }
  }

  document.addEventListener("DOMContentLoaded", () => nameFields(document));
  // Rows added with "Add another …" are named too.
  document.addEventListener("formset:added", (event) => nameFields(event.target));
  // The autocomplete draws its boxes when jQuery says the page is ready (later than the events
  // above, at a time of its own, and again for added rows): each box is named as it appears.
  new MutationObserver(() => {
    nameComboboxes(document);
    roleTooltips(document);
  }).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
})();
