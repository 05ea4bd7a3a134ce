// Irreversible steps ask first (issue 12 item 1). A submit button marked data-confirm="consequence"
// opens the page's <dialog id="confirm-dialog"> (templates/partials/confirm_dialog.html) instead of
// sending: it names the step and what follows from it, focus starts on "Go back" (the safe choice),
// Escape or "Go back" cancels and nothing is sent; the confirm button sends the form with the same
// button, so its name/value (e.g. intent=submit) go with it. Without this script, or without
// <dialog>, the form simply sends: the server checks everything anyway.
(function () {
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var title = dialog.querySelector("[data-confirm-title]");
  var text = dialog.querySelector("[data-confirm-text]");
  var ok = dialog.querySelector("[data-confirm-ok]");
  var cancel = dialog.querySelector("[data-confirm-cancel]");
  var pending = null; // {form, submitter} waiting for the answer
  var confirmed = null; // the form being sent after "yes": let its submit event through once

  // Window, capture phase: before drafts.js and portal.js (both on document) see the submit, so a
  // form waiting for an answer is neither marked as sent nor has its buttons disabled.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (confirmed === form) { confirmed = null; return; }
    if (!submitter || !submitter.hasAttribute("data-confirm")) return;
    event.preventDefault();
    event.stopPropagation();
    pending = { form: form, submitter: submitter };
    title.textContent = submitter.getAttribute("data-confirm-title") || submitter.textContent.trim();
    text.textContent = submitter.getAttribute("data-confirm");
    ok.textContent = submitter.textContent.trim();
    ok.className = submitter.className.replace(/\bdisabled\b/g, "");
    dialog.showModal();
    cancel.focus(); // the safe choice, whatever the browser picks first
  }, true);

  ok.addEventListener("click", function () {
    var answer = pending;
    pending = null;
    dialog.close("confirm");
    if (!answer) return;
    confirmed = answer.form;
    if (typeof answer.form.requestSubmit === "function") {
      answer.form.requestSubmit(answer.submitter);
    } else { // older browsers: carry the button's name/value by hand
      if (answer.submitter.name) {
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = answer.submitter.name;
        carried.value = answer.submitter.value;
        answer.form.appendChild(carried);
      }
      confirmed = null;
      answer.form.submit();
    }
  });
  cancel.addEventListener("click", function () { dialog.close("cancel"); });
  // Escape closes the dialog by itself ("cancel" event); either way, focus goes back to the button.
  dialog.addEventListener("close", function () {
    if (dialog.returnValue !== "confirm" && pending) {
      var back = pending.submitter;
      pending = null;
      back.focus();
    }
    dialog.returnValue = "";
  });
})();
