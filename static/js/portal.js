// A form is sent once: a second click or Enter while the first request is under way is ignored.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.submitted) { event.preventDefault(); return; }
  form.dataset.submitted = "1";
  form.querySelectorAll("button[type=submit]").forEach(function (b) { b.classList.add("disabled"); b.setAttribute("aria-disabled", "true"); });
});
// Coming back with the browser's Back button shows the page from cache: make its forms usable again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    delete form.dataset.submitted;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.classList.remove("disabled"); b.removeAttribute("aria-disabled"); });
  });
});
// Behaviour that used to sit in onclick/onchange attributes, which the Content-Security-Policy forbids:
// the language switch submits on change, print buttons print, "Back" links go back in history.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-submit-on-change]")) { event.target.form.submit(); }
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
  var back = event.target.closest("a[data-history-back]");
  if (back && window.history.length > 1) { event.preventDefault(); window.history.back(); }
});
// The overdue board's refresh says which state of the board the page shows; the server answers 204
// when nothing in it can have changed, and htmx then leaves the page as it is (reporting.board_state).
document.addEventListener("htmx:configRequest", function (event) {
  var shown = event.detail.elt.querySelector && event.detail.elt.querySelector("[data-board-state]");
  if (shown && shown.dataset.boardState) { event.detail.headers["X-Board-State"] = shown.dataset.boardState; }
});
