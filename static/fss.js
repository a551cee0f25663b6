// Loaded after govuk-frontend's bundle (both deferred). No inline scripts: the
// Content-Security-Policy forbids them (SPEC §9).
document.body.classList.add("js-enabled", "govuk-frontend-supported");
if (window.GOVUKFrontend) {
  window.GOVUKFrontend.initAll();
}

// ---------------------------------------------------------------------------
// No lost work (SPEC §9, issue 10).
//
// 1. A warning before the idle timeout, with "Stay signed in".
// 2. Form drafts kept in this browser tab (sessionStorage), so typing survives a
//    timeout: restored when the user comes back to the page, removed when the
//    form is sent successfully, at sign-out, after 12 hours, and when another
//    person signs in in the same tab. Drafts never go to the server, and
//    password, hidden and file fields are never kept.
// Only signed-in pages carry the data attributes this needs (templates/base.html).
// ---------------------------------------------------------------------------
(function () {
  "use strict";

  var body = document.body;
  var idleSeconds = parseInt(body.getAttribute("data-fss-idle-seconds"), 10);
  var owner = body.getAttribute("data-fss-draft-owner");
  var signInUrl = body.getAttribute("data-fss-sign-in-url");
  var signOutUrl = body.getAttribute("data-fss-sign-out-url");
  var onSignedInPage = Boolean(idleSeconds && owner);

  var DRAFT_PREFIX = "fss-draft:";
  var PENDING_PREFIX = "fss-draft-pending:";
  var DRAFT_MAX_AGE_MS = 12 * 60 * 60 * 1000;
  var ACTIVITY_KEY = "fss-last-activity"; // shared by tabs; a time only, no personal data

  function storage() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null; // storage switched off: the page works, drafts are not kept
    }
  }

  function keys(prefix) {
    var store = storage();
    var found = [];
    if (!store) return found;
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(prefix) === 0) found.push(key);
    }
    return found;
  }

  function removeAll(prefix) {
    var store = storage();
    if (!store) return;
    keys(prefix).forEach(function (key) {
      store.removeItem(key);
    });
  }

  function clearAllDrafts() {
    removeAll(DRAFT_PREFIX);
    removeAll(PENDING_PREFIX);
  }

  // --- Drafts -----------------------------------------------------------------

  function isKeptField(field) {
    if (!field.name || field.disabled) return false;
    if (field.hasAttribute("data-fss-no-draft")) return false;
    if (field.name === "csrfmiddlewaretoken") return false;
    var type = (field.type || "").toLowerCase();
    if (["password", "hidden", "file", "submit", "button", "reset", "image"].indexOf(type) !== -1) return false;
    if ((field.getAttribute("autocomplete") || "").indexOf("one-time-code") !== -1) return false;
    return true;
  }

  function draftableForms() {
    var forms = document.querySelectorAll("main form");
    return Array.prototype.filter.call(forms, function (form) {
      if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return false;
      if (form.hasAttribute("data-fss-no-draft")) return false;
      return Array.prototype.some.call(form.elements, isKeptField);
    });
  }

  function draftKey(form, index) {
    return DRAFT_PREFIX + owner + ":" + window.location.pathname + ":" + (form.id || index);
  }

  function readDraft(key) {
    var store = storage();
    if (!store) return null;
    try {
      var draft = JSON.parse(store.getItem(key));
      if (!draft || Date.now() - draft.savedAt > DRAFT_MAX_AGE_MS) {
        store.removeItem(key);
        return null;
      }
      return draft;
    } catch (e) {
      store.removeItem(key);
      return null;
    }
  }

  function saveDraft(form, key) {
    var store = storage();
    if (!store) return;
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!isKeptField(field)) return;
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        fields.push([field.name, field.value, field.checked]);
      } else if (field.tagName === "SELECT" && field.multiple) {
        var chosen = Array.prototype.filter.call(field.options, function (o) {
          return o.selected;
        });
        fields.push([field.name, chosen.map(function (o) { return o.value; }), null]);
      } else {
        fields.push([field.name, field.value, null]);
      }
    });
    try {
      store.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: fields }));
    } catch (e) {
      // Storage full or refused: carry on without a draft.
    }
  }

  function restoreDraft(form, draft) {
    var byName = {};
    draft.fields.forEach(function (entry) {
      (byName[entry[0]] = byName[entry[0]] || []).push(entry);
    });
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!isKeptField(field) || !byName[field.name]) return;
      var entries = byName[field.name];
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        entries.forEach(function (entry) {
          if (entry[1] === field.value) field.checked = entry[2];
        });
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (o) {
          o.selected = entries[0][1].indexOf(o.value) !== -1;
        });
      } else {
        field.value = entries.shift()[1];
        byName[field.name] = entries.length ? entries : null;
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function showRestoredNotice(form, key) {
    var banner = document.createElement("div");
    banner.className = "govuk-notification-banner fss-draft-banner";
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-labelledby", key + "-title");
    banner.innerHTML =
      '<div class="govuk-notification-banner__header">' +
      '<h2 class="govuk-notification-banner__title"></h2></div>' +
      '<div class="govuk-notification-banner__content">' +
      '<p class="govuk-notification-banner__heading">We have put back what you typed before.</p>' +
      '<p class="govuk-body">Check it, then send the form. It is kept only in this browser tab.</p>' +
      '<button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">' +
      "Discard what I typed</button></div>";
    var title = banner.querySelector(".govuk-notification-banner__title");
    title.id = key + "-title";
    title.textContent = "Your unsent work";
    banner.querySelector("button").addEventListener("click", function () {
      var store = storage();
      if (store) store.removeItem(key);
      window.location.reload();
    });
    form.parentNode.insertBefore(banner, form);
  }

  function setUpDrafts() {
    var store = storage();
    if (!store) return;
    // The steps of signing in (second factor, confirm it is you) come between a timeout
    // and the page the user was on: leave everything as it is.
    if (document.querySelector("main [data-fss-auth-step]")) return;
    // Another person's drafts are never offered: this tab now belongs to `owner`.
    keys(DRAFT_PREFIX).concat(keys(PENDING_PREFIX)).forEach(function (key) {
      if (key.indexOf(":" + owner + ":") === -1) store.removeItem(key);
    });
    var path = window.location.pathname;
    // A form sent from this page last time: if we are back on it (the send failed, or the
    // session ended and sign-in brought us back), keep its draft; otherwise it was sent.
    keys(PENDING_PREFIX).forEach(function (pendingKey) {
      var key = DRAFT_PREFIX + pendingKey.slice(PENDING_PREFIX.length);
      if (key.indexOf(DRAFT_PREFIX + owner + ":" + path + ":") === 0) {
        store.setItem(key, store.getItem(pendingKey));
      }
      store.removeItem(pendingKey);
    });

    draftableForms().forEach(function (form, index) {
      var key = draftKey(form, index);
      var draft = readDraft(key);
      var hasErrors = Boolean(document.querySelector(".govuk-error-summary"));
      if (draft && !hasErrors) {
        restoreDraft(form, draft);
        showRestoredNotice(form, key);
      }
      var timer = null;
      function later() {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          saveDraft(form, key);
        }, 400);
      }
      form.addEventListener("input", later);
      form.addEventListener("change", later);
      form.addEventListener("submit", function () {
        window.clearTimeout(timer);
        saveDraft(form, key);
        // Held aside until the next page shows whether the send worked (see above).
        store.setItem(PENDING_PREFIX + key.slice(DRAFT_PREFIX.length), store.getItem(key));
        store.removeItem(key);
      });
    });
  }

  // Signing out ends every draft in this tab (the shared-computer case).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (signOutUrl && form.getAttribute && form.getAttribute("action") === signOutUrl) {
      clearAllDrafts();
    }
  });

  // Pages without the signed-in markers (sign-in, privacy notice) leave drafts alone:
  // they may be visited between a timeout and signing in again.
  if (!onSignedInPage) return;
  setUpDrafts();

  // --- Idle-timeout warning --------------------------------------------------------

  var dialog = document.getElementById("fss-timeout-dialog");
  var warningSeconds = parseInt(body.getAttribute("data-fss-warning-seconds"), 10) || 120;
  var countdown = dialog && dialog.querySelector("[data-fss-timeout-countdown]");
  var announce = dialog && dialog.querySelector("[data-fss-timeout-announce]");
  var keepAliveForm = dialog && dialog.querySelector("form[data-fss-keep-alive]");
  var returnFocus = null;
  var lastAnnounced = null;

  function sharedActivity() {
    try {
      return parseInt(window.localStorage.getItem(ACTIVITY_KEY), 10) || 0;
    } catch (e) {
      return 0;
    }
  }

  var lastActivity = Date.now();
  function recordActivity() {
    lastActivity = Date.now();
    try {
      window.localStorage.setItem(ACTIVITY_KEY, String(lastActivity));
    } catch (e) {
      // Private mode: this tab's own clock still works.
    }
  }
  recordActivity(); // this page load was a request: the server's clock restarted

  function latestActivity() {
    return Math.max(lastActivity, sharedActivity()); // another tab may have kept the session alive
  }

  function describe(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function openWarning() {
    if (!dialog || dialog.open) return;
    returnFocus = document.activeElement;
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
  }

  function closeWarning() {
    if (!dialog || !dialog.open) return;
    if (typeof dialog.close === "function") {
      dialog.close();
    } else {
      dialog.removeAttribute("open");
    }
    lastAnnounced = null;
    if (returnFocus && returnFocus.focus) returnFocus.focus();
  }

  function signedOut() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(signInUrl + "?timeout=idle&next=" + encodeURIComponent(next));
  }

  function tick() {
    var left = Math.round((latestActivity() + idleSeconds * 1000 - Date.now()) / 1000);
    if (left <= -5) {
      // 5 seconds' grace so the server's session has certainly ended too.
      signedOut();
      return;
    }
    if (left > warningSeconds) {
      closeWarning();
      return;
    }
    openWarning();
    if (countdown) countdown.textContent = describe(Math.max(left, 0));
    // Screen readers hear the time left each minute, and each 15 seconds in the last minute.
    var step = left > 60 ? Math.ceil(left / 60) + "m" : Math.ceil(left / 15) + "s";
    if (announce && step !== lastAnnounced) {
      lastAnnounced = step;
      announce.textContent = "You will be signed out in " + describe(Math.max(left, 0)) + ".";
    }
  }

  function staySignedIn() {
    if (!keepAliveForm) return;
    var token = keepAliveForm.querySelector("input[name=csrfmiddlewaretoken]");
    window
      .fetch(keepAliveForm.getAttribute("action"), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
      })
      .then(function (response) {
        if (response.ok && !response.redirected) {
          recordActivity();
          closeWarning();
        } else {
          signedOut();
        }
      })
      .catch(function () {
        // Offline for a moment: the warning stays up and the button can be pressed again.
      });
  }

  if (dialog && idleSeconds) {
    if (keepAliveForm) {
      keepAliveForm.addEventListener("submit", function (event) {
        event.preventDefault();
        staySignedIn();
      });
    }
    // Escape closes a modal dialog: treat it as "stay signed in", not as ignoring the warning.
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      staySignedIn();
    });
    window.setInterval(tick, 1000);
  }
})();
