// A form shown again with errors opens on its error summary: the focus goes to the box
// (tabindex="-1"), so a screen reader reads it first and the next Tab reaches the first
// problem's link. A link moves the focus to its field and shows the field's label above
// it, not just the input at the very top of a small screen.
// A file of its own, not inline: the Content-Security-Policy runs no inline script.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    // A choice (radio button, checkbox) shows its group's legend; a field its label.
    var group = /^(radio|checkbox)$/.test(input.type) && input.closest("fieldset");
    var label = (group && group.querySelector("legend")) ||
      document.querySelector("label[for='" + input.id + "']") || input.closest("label") || input;
    label.scrollIntoView();
    input.focus({ preventScroll: true });
  });
});
