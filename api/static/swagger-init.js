// Starts Swagger UI on the API's own OpenAPI document (a file, so the page's CSP needs no inline
// script). The plain link to the document above the UI stays until the UI has drawn the spec, and
// says so when the UI cannot start.
window.addEventListener("load", function () {
  var fallback = document.getElementById("docs-fallback");
  var status = document.getElementById("docs-status");
  if (typeof window.SwaggerUIBundle !== "function") {
    status.textContent =
      "The interactive documentation could not start: its script (Swagger UI) did not load.";
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: document.body.dataset.specUrl,
    dom_id: "#swagger-ui-container",
    validatorUrl: null, // no badge from a third-party validator: the page talks to this server only
    onComplete: function () {
      fallback.hidden = true;
    },
  });
});
