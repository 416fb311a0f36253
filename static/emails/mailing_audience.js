// The mailing form's live audience count: each time staff change a choice of the audience, asks
// the admin how many people the choices reach (a GET of numbers only, never who) and says it in
// the form. Without JavaScript the count is shown each time the mailing is saved.
"use strict";
// After "load": Django's two-box widget builds its boxes then, and this script is in the head.
window.addEventListener("load", () => {
  const output = document.getElementById("mailing-audience-count");
  const form = output && output.closest("form");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  const NAMES = ["audience", "actions", "confirmed_only", "opted_in_only", "review", "countries", "regions", "language"];
  let asked = null;
  let timer = null;
  let controller = null;

  function choices() {
    const params = new URLSearchParams();
    for (const name of NAMES) {
      for (const field of form.querySelectorAll(`[name="${name}"]`)) {
        if (field.tagName === "SELECT") {
          // Django's two-box widget (filter_horizontal) marks the chosen options selected only on
          // submit: every option of its "chosen" box counts.
          const chosenBox = field.id.endsWith("_to");
          for (const option of field.options) {
            if (chosenBox || option.selected) {
              params.append(name, option.value);
            }
          }
        } else if (field.type === "checkbox" || field.type === "radio") {
          if (field.checked) {
            params.append(name, field.value);
          }
        } else {
          params.append(name, field.value);
        }
      }
    }
    return params.toString();
  }

  async function update() {
    const query = choices();
    if (query === asked) {
      return;
    }
    asked = query;
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    output.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`${output.dataset.url}?${query}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const answer = await response.json();
      output.textContent = answer.summary;
      output.dataset.count = String(answer.count);
    } catch (error) {
      if (error.name === "AbortError") {
        return;
      }
      asked = null;
      output.textContent = output.dataset.error;
    }
    output.removeAttribute("aria-busy");
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  }

  // The two-box widget moves options on clicks and keys without a change event: any of these may
  // have changed the choices, and an unchanged query is not asked again.
  for (const type of ["change", "input", "click", "dblclick", "keyup"]) {
    form.addEventListener(type, soon);
  }
  update();
});
