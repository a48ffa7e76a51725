// Render the math that pymdownx.arithmatex (generic mode) leaves in the page as
// <span class="arithmatex">\( ... \)</span> and <div class="arithmatex">\[ ... \]</div>.
// Material's document$ emits on the first load and after every instant
// navigation, so math renders on every page change. Only .arithmatex elements
// are rendered, so a dollar sign in prose or code is never taken for math.
document$.subscribe(({ body }) => {
  for (const element of body.querySelectorAll(".arithmatex")) {
    renderMathInElement(element, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false,
    });
  }

  // Notebook pages (mkdocs-jupyter) do not pass through arithmatex: their
  // markdown cells keep $...$ and $$...$$ as text, and code is left alone.
  for (const element of body.querySelectorAll(".jp-RenderedMarkdown")) {
    renderMathInElement(element, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false,
    });
  }
});
