// Django's admin renders two kinds of fields without an accessible name: the date and the time
// box of a date-time field ("Date:" and "Time:" are bare text beside them, and the field's label
// points nowhere), and every field of a tabular inline (named only by its column heading). Screen
// readers and voice control then announce "edit text" with no name. This names each such field
// after the words shown beside it; fields that already have a name are left alone.
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

  document.addEventListener("DOMContentLoaded", () => nameFields(document));
  // Rows added with "Add another …" are named too.
  document.addEventListener("formset:added", (event) => nameFields(event.target));
})();
