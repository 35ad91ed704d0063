// Cityscape's only script, and an enhancement: every page works without it.
"use strict";

// After posting, the page opens at the private link (#private-link: the browser scrolls to the
// field and focuses it, with or without this script); its text is selected, ready to copy.
if (location.hash === "#private-link") {
  const field = document.getElementById("private-link");
  if (field) field.select();
}

// A "Copy" button beside a read-only field (the private link after posting) copies the field's
// text; without this script the button stays hidden and the field's text can be selected.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = "Copied";
    } catch {
      field.select();
    }
  });
});
