// Renders this node's /openapi.yaml with the Swagger UI the node serves itself: the page needs no network beyond
// the node. A separate file rather than an inline script, so that the page's Content-Security-Policy can forbid
// inline scripts.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The default would send the document to a public validator service.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
