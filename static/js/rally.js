// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // The language switcher submits itself on change; its button stays for keyboards and no-JS.
  document.querySelectorAll(".language-switcher select").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // A link to a form's field (the action page's "Sign the petition" on a phone): as an anchor it
  // scrolls to the field; here it also puts the focus in it, with its label in view.
  document.querySelectorAll("a[data-focus-field]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field) return;
      event.preventDefault();
      (field.closest(".mb-3") || field).scrollIntoView({block: "start"});
      field.focus({preventScroll: true});
    });
  });
});
