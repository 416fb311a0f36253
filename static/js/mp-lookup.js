// "Your MP: name (riding, party)" under the postal code of a letter to the supporter's MP, as they
// type. Asks this site only (/act/<slug>/mp/), never a third party. The form works without it:
// on submit the page shows the MP, or the ridings to choose from.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-mp-lookup]").forEach((status) => {
    const form = status.closest("form");
    const input = form && form.querySelector("[name=postal_code]");
    const select = form && form.querySelector("select[name=riding]");
    if (!input) return;
    const allOptions = select ? Array.from(select.options).map((option) => option.cloneNode(true)) : [];
    let timer = null;
    let asked = null;
    let controller = null;

    const showOptions = (options) => {
      if (!select) return;
      select.replaceChildren(...options);
    };

    const show = (data) => {
      status.textContent = data.message || "";
      if (!select) return;
      const ridings = data.ridings || [];
      if (data.status === "choose") {
        const options = [allOptions[0].cloneNode(true)];
        ridings.forEach((riding) => options.push(new Option(riding.label, String(riding.id))));
        showOptions(options);
        select.value = "";
        return;
      }
      const options = allOptions.map((option) => option.cloneNode(true));
      if (data.status === "found" && !options.some((option) => option.value === String(ridings[0].id))) {
        // An MP the directory learnt after this page was made.
        options.push(new Option(ridings[0].label, String(ridings[0].id)));
      }
      showOptions(options);
      select.value = data.status === "found" ? String(ridings[0].id) : "";
    };

    const lookUp = () => {
      const code = input.value.replace(/\s+/g, "").toUpperCase();
      if (code === asked) return;
      asked = code;
      if (controller) controller.abort();
      if (code.length < 5) {
        status.textContent = "";
        return;
      }
      controller = new AbortController();
      const url = `${status.dataset.mpLookup}?postal_code=${encodeURIComponent(code)}`;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller.signal })
        .then((response) => response.json())
        .then(show)
        .catch((error) => {
          if (error.name !== "AbortError") status.textContent = "";
        });
    };

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 300);
    });
    input.addEventListener("change", lookUp);
    if (input.value) lookUp();
  });
});
