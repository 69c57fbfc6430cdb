// Runs first in <body>: marks the page as able to run GOV.UK Frontend's scripts (progressive
// enhancement: every page works without JavaScript).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
