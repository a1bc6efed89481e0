// "Open on my hub": build the nbgitpuller link for the address the reader typed.
// The query part (repository, branch, notebook) is written into the page at build time.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("nbgitpuller-launch")) return;
  event.preventDefault();
  var hub = form.elements.hub.value.trim().replace(/\/+$/, "");
  if (!/^https?:\/\//.test(hub)) hub = "https://" + hub;
  window.location.href = hub + "/hub/user-redirect/git-pull?" + form.dataset.query;
});
