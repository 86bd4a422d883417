// The console's only script: filter the clusters table as the sender is typed, and ask before a
// rollback. Every page works without it (the search form and the buttons post as they are).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-filter]")) {
    const rows = document.querySelectorAll(`#${input.dataset.filter} tbody tr[data-sender]`);
    input.addEventListener("input", () => {
      const q = input.value.trim().toLowerCase();
      for (const row of rows) row.hidden = q !== "" && !row.dataset.sender.toLowerCase().includes(q);
    });
  }
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
