// accord dashboard: the few behaviours a form needs beyond HTMX. No network, no framework.

// Before a run: the old problems go; the run's answer brings the current ones.
function accordClearErrors(form) {
  form.querySelectorAll(".field-error").forEach(e => { e.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach(e => e.removeAttribute("aria-invalid"));
}

// The report link carries the page's edits (the values changed from the file's), as the form names them.
function accordReportLink(form) {
  const link = document.getElementById("report-link");
  if (!link) return;
  const query = new URLSearchParams();
  form.querySelectorAll("input.value").forEach(input => {
    if (input.value !== input.defaultValue) query.append(input.name, input.value);
  });
  const q = query.toString();
  link.href = form.dataset.report + (q ? "?" + q : "");
  link.textContent = q ? "report (with your edits)" : "report";
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("run");
  if (!form) return;
  // A field's problem goes as soon as the field is changed, and the box of problems with the last one.
  form.addEventListener("input", event => {
    const input = event.target;
    if (input.name) {
      const error = document.getElementById("err-" + input.name.replaceAll(":", "-"));
      if (error) error.textContent = "";
      input.removeAttribute("aria-invalid");
      const box = document.getElementById("run-errors");
      if (box && !form.querySelector(".field-error:not(:empty)")) box.remove();
    }
    accordReportLink(form);
  });
  // A field with a problem is marked for screen readers and takes the focus.
  document.body.addEventListener("htmx:afterSwap", () => {
    let first = null;
    form.querySelectorAll(".field-error:not(:empty)").forEach(e => {
      const input = e.parentElement.querySelector("input");
      if (input) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", e.id); first = first || input; }
    });
    if (first) first.focus();
  });
});
