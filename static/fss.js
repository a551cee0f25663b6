// Loaded after govuk-frontend's bundle (both deferred). No inline scripts: the
// Content-Security-Policy forbids them (SPEC §9).
document.body.classList.add("js-enabled", "govuk-frontend-supported");
if (window.GOVUKFrontend) {
  window.GOVUKFrontend.initAll();
}
