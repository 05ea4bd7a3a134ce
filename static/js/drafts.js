// A lost connection does not lose a draft (a station in the field, on a phone). Every form marked
// data-keep-draft saves what is typed to this device's localStorage as it is typed; when the page
// shows the form again with those fields still empty, the draft goes back in, with a notice and a
// button to discard it.
//
// A draft is deleted only once the server has accepted the form. Every view here answers an
// accepted form with a redirect (post/redirect/get) and a refused one with the form and its
// errors, so emergency.middleware.DraftSentMiddleware sets a short-lived cookie "draft_sent" =
// "<user id>:<path posted to>" on a redirect after a form POST, and the next page deletes that
// draft. Deleting it on the submit event instead would lose it exactly when the request never
// arrives. Offline when the user presses submit: nothing is sent, the draft stays, the form says so.
//
// Never kept: files, passwords, hidden fields (the CSRF token). Keys carry the user's id, so two
// people sharing a phone do not see each other's drafts. Texts come from templates/partials/keep_draft.html.
(function () {
  var texts = document.getElementById("draft-texts");
  var storage;
  try { storage = window.localStorage; } catch (e) { return; } // storage blocked: forms work as before
  if (!texts || !texts.dataset.user || !storage) return;
  var user = texts.dataset.user;
  var PREFIX = "portal-draft:";
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000; // a draft untouched for a week is stale, not lost work
  var KEPT_TYPES = ["INPUT", "SELECT", "TEXTAREA"];
  var SKIPPED_INPUTS = ["file", "password", "hidden", "submit", "button", "reset", "image"];

  function keyOf(form) { return PREFIX + user + ":" + new URL(form.action, location.href).pathname; }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && KEPT_TYPES.indexOf(el.tagName) >= 0 && SKIPPED_INPUTS.indexOf(el.type) < 0
        && el.name !== "csrfmiddlewaretoken";
    });
  }

  function isChoice(el) { return el.type === "checkbox" || el.type === "radio"; }

  function read(form) {
    var values = {};
    fields(form).forEach(function (el) {
      if (isChoice(el)) {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function save(form) {
    try {
      storage.setItem(keyOf(form), JSON.stringify({ savedAt: Date.now(), values: read(form) }));
    } catch (e) { /* storage full: the form still works, only the safety net is missing */ }
  }

  function load(key) {
    try {
      var draft = JSON.parse(storage.getItem(key) || "null");
      return draft && draft.values && Date.now() - draft.savedAt < MAX_AGE_MS ? draft.values : null;
    } catch (e) { return null; }
  }

  // Choices (selects, radios, checkboxes) count as empty while they are as the page rendered them.
  function untouched(el) {
    if (el.tagName === "SELECT") {
      return el.value === "" || Array.prototype.every.call(el.options, function (o) { return o.selected === o.defaultSelected; });
    }
    return el.checked === el.defaultChecked;
  }

  function restore(form, values) {
    var undo = [];
    var groups = {};
    fields(form).forEach(function (el) {
      if (!(el.name in values)) return;
      if (isChoice(el)) { (groups[el.name] = groups[el.name] || []).push(el); return; }
      var value = values[el.name];
      if (el.tagName === "SELECT") {
        var wanted = [].concat(value);
        var options = Array.prototype.slice.call(el.options);
        var offered = options.some(function (o) { return wanted.indexOf(o.value) >= 0; });
        var same = options.every(function (o) { return o.selected === (wanted.indexOf(o.value) >= 0); });
        if (!untouched(el) || !offered || same) return;
        var before = options.map(function (o) { return o.selected; });
        options.forEach(function (o) { o.selected = wanted.indexOf(o.value) >= 0; });
        undo.push(function () { options.forEach(function (o, i) { o.selected = before[i]; }); });
      } else if (el.value === "" && value) {
        el.value = value;
        undo.push(function () { el.value = ""; });
      }
    });
    Object.keys(groups).forEach(function (name) {
      var boxes = groups[name], wanted = values[name];
      var same = boxes.every(function (b) { return b.checked === (wanted.indexOf(b.value) >= 0); });
      if (same || !boxes.every(untouched)) return;
      var before = boxes.map(function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
      undo.push(function () { boxes.forEach(function (b, i) { b.checked = before[i]; }); });
    });
    return undo;
  }

  function notice(form, undo) {
    var box = document.createElement("div");
    box.className = "alert alert-info d-flex flex-wrap align-items-center gap-2 py-2";
    box.setAttribute("role", "status");
    box.dataset.draftNotice = "";
    var words = document.createElement("span");
    words.textContent = texts.dataset.restored;
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = texts.dataset.discard;
    discard.addEventListener("click", function () {
      storage.removeItem(keyOf(form));
      undo.forEach(function (fn) { fn(); });
      box.remove();
    });
    box.appendChild(words);
    box.appendChild(discard);
    form.insertBefore(box, form.firstChild);
    var details = form.closest("details");
    if (details) details.open = true; // a restored action card must not stay folded away
  }

  function offline(form, button) {
    var old = form.querySelector("[data-draft-offline]");
    if (old) old.remove();
    var box = document.createElement("div");
    box.className = "alert alert-warning w-100 py-2 mb-2";
    box.setAttribute("role", "alert");
    box.dataset.draftOffline = "";
    box.textContent = texts.dataset.offline;
    // Next to the buttons, where the eye is after pressing one (above the whole button bar).
    var before = button && button.parentNode !== form ? button.parentNode.firstChild : button;
    if (before) before.parentNode.insertBefore(box, before);
    else form.appendChild(box);
  }

  // The server accepted a form (see above): that draft is done with.
  var sent = document.cookie.match(/(?:^|;\s*)draft_sent=([^;]*)/);
  if (sent) {
    document.cookie = "draft_sent=; Max-Age=0; Path=/; SameSite=Lax";
    storage.removeItem(PREFIX + decodeURIComponent(sent[1].replace(/^"|"$/g, "")));
  }
  for (var i = storage.length - 1; i >= 0; i--) {
    var key = storage.key(i);
    if (key && key.indexOf(PREFIX + user + ":") === 0 && !load(key)) storage.removeItem(key);
  }

  document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
    var values = load(keyOf(form));
    if (values) {
      var undo = restore(form, values);
      if (undo.length) notice(form, undo);
    }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
  });

  // Capture phase: runs before portal.js marks the form as sent and disables its buttons.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-keep-draft]")) return;
    save(form);
    if (navigator.onLine === false) {
      event.preventDefault();
      event.stopPropagation();
      offline(form, event.submitter);
    }
  }, true);
})();
