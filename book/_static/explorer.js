// Static explorers: each slider swaps in the frame rendered at build time for its value
// (hiertools.site.explorer_html writes the frames and this markup).
document.addEventListener("input", function (event) {
  var slider = event.target;
  var figure = slider.closest && slider.closest(".ht-explorer-control");
  if (!figure) return;
  var frame = JSON.parse(figure.dataset.frames)[Number(slider.value)];
  var image = figure.querySelector("img");
  image.src = frame.src;
  image.alt = frame.alt;
  figure.querySelector("output").textContent = frame.value;
});
