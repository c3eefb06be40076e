// Starts Swagger UI on the page /schema renders; the address of the OpenAPI document is
// in the page's data-url, so this file holds no inline script the CSP would have to allow.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
