// "Læs op" in easy-read mode: reads the question and its options aloud with the
// browser's own speech synthesis (a Danish voice where the browser has one). The
// button stays hidden where there is no speech synthesis; the form never needs this.
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  var lang = document.documentElement.lang === "en" ? "en" : "da";
  function voice() {
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf(lang) === 0) {
        return voices[i];
      }
    }
    return null;
  }
  function words(fieldset) {
    var parts = [];
    var legend = fieldset.querySelector("legend");
    if (legend) { parts.push(legend.textContent.trim()); }
    fieldset.querySelectorAll("label > span").forEach(function (span) { parts.push(span.textContent.trim()); });
    return parts.join(". ");
  }
  document.querySelectorAll("button.read-aloud").forEach(function (button) {
    var fieldset = document.getElementById(button.getAttribute("data-read"));
    if (!fieldset) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      window.speechSynthesis.cancel();
      var said = new SpeechSynthesisUtterance(words(fieldset));
      said.lang = lang === "en" ? "en-GB" : "da-DK";
      var chosen = voice();
      if (chosen) { said.voice = chosen; }
      window.speechSynthesis.speak(said);
    });
  });
}());
