// Profile form: offer only the provinces or states of the chosen country. The server checks the
// pair anyway; without this script every region stays listed.
document.addEventListener("DOMContentLoaded", () => {
  const country = document.getElementById("id_country");
  const region = document.getElementById("id_region");
  if (!country || !region) return;
  // The region select's option groups, in order, belong to these countries.
  const groupCountries = (region.dataset.regionCountries || "").split(" ");
  const groups = Array.from(region.querySelectorAll("optgroup"));
  const update = () => {
    groups.forEach((group, index) => {
      const belongs = groupCountries[index] === country.value;
      group.hidden = !belongs;
      group.disabled = !belongs;
      if (!belongs && group.contains(region.selectedOptions[0])) region.value = "";
    });
  };
  country.addEventListener("change", update);
  update();
});
