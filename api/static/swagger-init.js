// Starts Swagger UI on the API's own OpenAPI document (a file, so the page's CSP needs no inline script).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.specUrl,
    dom_id: "#swagger-ui-container",
  });
});
