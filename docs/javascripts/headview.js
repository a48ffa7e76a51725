/*
 * Head view: an interactive look at the attention weights of all-MiniLM-L6-v2.
 *
 * A page contains the markup
 *
 *   <div class="headview" data-layer="3" data-head="1" data-token="it">
 *     <a class="headview-data" href="../generated/real_heads_attention.json">...</a>
 *   </div>
 *
 * where the link points at the JSON that docs/figures/real_heads_data.py writes
 * at build time (tokens and weights[layer][head][query][key] times "scale").
 * Without JavaScript the link stays as a download. With it, this script adds
 * selects for the sentence, layer and head, and one button per token. The
 * button that is hovered or focused becomes the query: every token's
 * background and percentage then show the weight the query gives it, and an
 * aria-live line names the three tokens with the largest weights. Only the
 * query button is in the tab order; arrow keys, Home and End move between
 * tokens. Layers and heads count from 0, as in tinyformer's tensors.
 */
(function () {
  "use strict";

  var instanceCount = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function labelledSelect(labelText, id, options) {
    var wrapper = element("div", "headview-control");
    var label = element("label", null, labelText);
    label.htmlFor = id;
    var select = element("select");
    select.id = id;
    options.forEach(function (text, index) {
      var option = element("option", null, text);
      option.value = String(index);
      select.appendChild(option);
    });
    wrapper.appendChild(label);
    wrapper.appendChild(select);
    return { wrapper: wrapper, select: select };
  }

  function range(count) {
    var values = [];
    for (var i = 0; i < count; i += 1) {
      values.push(String(i));
    }
    return values;
  }

  function clampIndex(value, count, fallback) {
    var number = parseInt(value, 10);
    if (isNaN(number) || number < 0 || number >= count) {
      return fallback;
    }
    return number;
  }

  function percent(weight) {
    return Math.round(weight * 100) + "%";
  }

  function HeadView(root, data) {
    instanceCount += 1;
    this.root = root;
    this.data = data;
    this.prefix = "headview-" + instanceCount;
    this.sentence = 0;
    this.layer = clampIndex(root.dataset.layer, data.num_layers, 0);
    this.head = clampIndex(root.dataset.head, data.num_heads, 0);
    this.query = 0;
    this.buttons = [];
    this.build();
    var start = data.sentences[0].tokens.indexOf(root.dataset.token || "");
    this.showSentence(0, start >= 0 ? start : 1);
  }

  HeadView.prototype.build = function () {
    var self = this;
    var controls = element("div", "headview-controls");
    var sentences = labelledSelect(
      "Sentence",
      this.prefix + "-sentence",
      this.data.sentences.map(function (sentence) {
        return sentence.text;
      })
    );
    var layers = labelledSelect(
      "Layer",
      this.prefix + "-layer",
      range(this.data.num_layers)
    );
    var heads = labelledSelect(
      "Head",
      this.prefix + "-head",
      range(this.data.num_heads)
    );
    layers.select.value = String(this.layer);
    heads.select.value = String(this.head);
    controls.appendChild(sentences.wrapper);
    controls.appendChild(layers.wrapper);
    controls.appendChild(heads.wrapper);

    sentences.select.addEventListener("change", function () {
      self.showSentence(parseInt(sentences.select.value, 10), 1);
    });
    layers.select.addEventListener("change", function () {
      self.layer = parseInt(layers.select.value, 10);
      self.update();
    });
    heads.select.addEventListener("change", function () {
      self.head = parseInt(heads.select.value, 10);
      self.update();
    });

    var hint = element(
      "p",
      "headview-hint",
      "Hover over a token, or Tab to the tokens and use the arrow keys, to " +
        "see where that token attends. Stronger shading means more weight."
    );
    hint.id = this.prefix + "-hint";

    this.tokenRow = element("div", "headview-tokens");
    this.tokenRow.setAttribute("role", "toolbar");
    this.tokenRow.setAttribute("aria-label", "Tokens; the focused token is the query");
    this.tokenRow.setAttribute("aria-describedby", hint.id);
    this.tokenRow.addEventListener("keydown", function (event) {
      self.onKey(event);
    });

    this.summary = element("p", "headview-summary");
    this.summary.setAttribute("aria-live", "polite");

    this.root.appendChild(controls);
    this.root.appendChild(hint);
    this.root.appendChild(this.tokenRow);
    this.root.appendChild(this.summary);
    // Keep the link to the JSON as a download, below the interactive view.
    var link = this.root.querySelector("a.headview-data");
    if (link) {
      this.root.appendChild(link.closest("p") || link);
    }
    this.root.dataset.ready = "true";
  };

  HeadView.prototype.showSentence = function (index, query) {
    var self = this;
    var tokens = this.data.sentences[index].tokens;
    this.sentence = index;
    this.tokenRow.textContent = "";
    this.buttons = tokens.map(function (token, position) {
      var button = element("button", "headview-token");
      button.type = "button";
      button.dataset.index = String(position);
      button.setAttribute(
        "aria-label",
        token + ", token " + (position + 1) + " of " + tokens.length
      );
      button.appendChild(element("span", "headview-token-text", token));
      button.appendChild(element("span", "headview-weight", ""));
      button.addEventListener("focus", function () {
        self.setQuery(position);
      });
      button.addEventListener("mouseenter", function () {
        self.setQuery(position);
      });
      self.tokenRow.appendChild(button);
      return button;
    });
    this.query = Math.min(query, tokens.length - 1);
    this.update();
  };

  HeadView.prototype.weights = function () {
    var sentence = this.data.sentences[this.sentence];
    var scale = this.data.scale;
    return sentence.weights[this.layer][this.head][this.query].map(function (value) {
      return value / scale;
    });
  };

  HeadView.prototype.setQuery = function (position) {
    if (position === this.query) {
      return;
    }
    this.query = position;
    this.update();
  };

  HeadView.prototype.update = function () {
    var self = this;
    var tokens = this.data.sentences[this.sentence].tokens;
    var row = this.weights();
    this.buttons.forEach(function (button, position) {
      var weight = row[position];
      var isQuery = position === self.query;
      button.style.setProperty("--headview-weight", String(weight));
      button.classList.toggle("headview-token--query", isQuery);
      button.setAttribute("aria-pressed", isQuery ? "true" : "false");
      button.tabIndex = isQuery ? 0 : -1;
      button.querySelector(".headview-weight").textContent = percent(weight);
    });

    var order = row
      .map(function (weight, position) {
        return position;
      })
      .sort(function (a, b) {
        return row[b] - row[a];
      })
      .slice(0, 3);
    var parts = order.map(function (position) {
      return "“" + tokens[position] + "” " + percent(row[position]);
    });
    this.summary.textContent =
      "Layer " + this.layer + ", head " + this.head + ": “" +
      tokens[this.query] + "” attends most to " + parts.join(", ") + ".";
  };

  HeadView.prototype.onKey = function (event) {
    var last = this.buttons.length - 1;
    var target = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") {
      target = Math.min(this.query + 1, last);
    } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
      target = Math.max(this.query - 1, 0);
    } else if (event.key === "Home") {
      target = 0;
    } else if (event.key === "End") {
      target = last;
    }
    if (target === null) {
      return;
    }
    event.preventDefault();
    this.buttons[target].focus();
  };

  function showError(root, message) {
    var error = element("p", "headview-error", message);
    error.setAttribute("role", "alert");
    root.appendChild(error);
  }

  function init(root) {
    if (root.dataset.ready) {
      return;
    }
    var link = root.querySelector("a.headview-data");
    if (!link) {
      showError(root, "Head view: the link to the attention data (a.headview-data) is missing.");
      return;
    }
    root.dataset.ready = "loading";
    fetch(link.href)
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status + " for " + link.href);
        }
        return response.json();
      })
      .then(function (data) {
        new HeadView(root, data);
      })
      .catch(function (error) {
        root.dataset.ready = "failed";
        showError(root, "Head view: could not load the attention data (" + error.message + ").");
      });
  }

  function initAll() {
    document.querySelectorAll(".headview").forEach(init);
  }

  // Material's instant navigation emits on document$ after each page swap.
  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(initAll);
  } else {
    document.addEventListener("DOMContentLoaded", initAll);
  }
})();
