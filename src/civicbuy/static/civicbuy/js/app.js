// CivicBuy's progressive enhancements, loaded at the end of <body>.
import { initAll } from "../build/govuk-frontend.min.js";

initAll();

// Print buttons (plans, checklists, reports) are hidden without JavaScript; the browser's own print works too.
for (const button of document.querySelectorAll("[data-cb-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

// Checklists remember their ticks in this browser only (nothing is sent anywhere).
for (const box of document.querySelectorAll("input[data-cb-checklist]")) {
  const key = `cb-check:${location.pathname}:${box.value}`;
  box.checked = localStorage.getItem(key) === "1";
  box.addEventListener("change", () => localStorage.setItem(key, box.checked ? "1" : "0"));
}
