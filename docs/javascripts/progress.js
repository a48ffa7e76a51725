/*
 * Reader progress for the tinyformer site: lessons marked done, quiz answers,
 * glossary topics reviewed, the XP total in the header and the skill map on
 * the progress page.
 *
 * Everything is kept in this browser's localStorage under STORAGE_KEY and is
 * never sent anywhere. Stored data carries a version number. Data that fails
 * to parse, has another version or has the wrong shape is ignored, so the
 * page starts from empty progress instead of breaking.
 *
 * Other scripts (quiz.js) use the API on window.tinyformerProgress. Every
 * change dispatches a "tinyformer:progress" event on window.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "tinyformer.progress";
  var STORAGE_VERSION = 1;
  var EVENT_NAME = "tinyformer:progress";

  // XP is derived from the stored state each time, so it cannot drift from it.
  var XP_PER_LESSON = 100;
  var XP_PER_QUESTION = 10;
  var XP_PER_TOPIC = 10;

  // Matches both URL styles: lessons/x.html and lessons/x/.
  var LESSON_PATH = /\/lessons\/([a-z0-9-]+)(?:\.html|\/(?:index\.html)?)$/;
  var PROGRESS_PATH = /\/progress(?:\.html|\/(?:index\.html)?)$/;

  function emptyProgress() {
    return { version: STORAGE_VERSION, lessons: {}, quizzes: {}, topics: {} };
  }

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // Copy only the fields of this storage version that have the expected types.
  function sanitize(data) {
    var clean = emptyProgress();
    if (!isPlainObject(data) || data.version !== STORAGE_VERSION) {
      return clean;
    }
    if (isPlainObject(data.lessons)) {
      Object.keys(data.lessons).forEach(function (id) {
        var lesson = data.lessons[id];
        if (isPlainObject(lesson) && lesson.done === true) {
          clean.lessons[id] = { done: true };
        }
      });
    }
    if (isPlainObject(data.quizzes)) {
      Object.keys(data.quizzes).forEach(function (quizId) {
        var quiz = data.quizzes[quizId];
        if (!isPlainObject(quiz) || !isPlainObject(quiz.questions)) {
          return;
        }
        var cleanQuiz = { questions: {} };
        if (typeof quiz.total === "number" && quiz.total >= 0) {
          cleanQuiz.total = Math.floor(quiz.total);
        }
        Object.keys(quiz.questions).forEach(function (questionId) {
          var question = quiz.questions[questionId];
          if (!isPlainObject(question)) {
            return;
          }
          cleanQuiz.questions[questionId] = {
            correct: question.correct === true,
            attempts:
              typeof question.attempts === "number" && question.attempts > 0
                ? Math.floor(question.attempts)
                : 1,
          };
        });
        clean.quizzes[quizId] = cleanQuiz;
      });
    }
    if (isPlainObject(data.topics)) {
      Object.keys(data.topics).forEach(function (id) {
        if (data.topics[id] === true) {
          clean.topics[id] = true;
        }
      });
    }
    return clean;
  }

  function load() {
    var raw = null;
    try {
      raw = window.localStorage.getItem(STORAGE_KEY);
    } catch (error) {
      // Storage can be disabled by the browser; progress then lasts one page.
      return emptyProgress();
    }
    if (raw === null) {
      return emptyProgress();
    }
    try {
      return sanitize(JSON.parse(raw));
    } catch (error) {
      return emptyProgress();
    }
  }

  function save(progress) {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(progress));
    } catch (error) {
      if (window.console) {
        console.warn("tinyformer: progress not saved:", error.message);
      }
    }
    window.dispatchEvent(new CustomEvent(EVENT_NAME, { detail: progress }));
  }

  function update(change) {
    var progress = load();
    change(progress);
    save(progress);
    return progress;
  }

  function countCorrect(quiz) {
    return Object.keys(quiz.questions).filter(function (id) {
      return quiz.questions[id].correct;
    }).length;
  }

  function computeXp(progress) {
    var lessons = Object.keys(progress.lessons).length;
    var topics = Object.keys(progress.topics).length;
    var questions = 0;
    Object.keys(progress.quizzes).forEach(function (quizId) {
      questions += countCorrect(progress.quizzes[quizId]);
    });
    return (
      lessons * XP_PER_LESSON + questions * XP_PER_QUESTION + topics * XP_PER_TOPIC
    );
  }

  var api = {
    STORAGE_KEY: STORAGE_KEY,
    STORAGE_VERSION: STORAGE_VERSION,
    EVENT_NAME: EVENT_NAME,
    XP_PER_LESSON: XP_PER_LESSON,
    XP_PER_QUESTION: XP_PER_QUESTION,
    XP_PER_TOPIC: XP_PER_TOPIC,
    load: load,
    xp: function () {
      return computeXp(load());
    },
    isLessonDone: function (id) {
      return Boolean(load().lessons[id]);
    },
    setLessonDone: function (id, done) {
      return update(function (progress) {
        if (done) {
          progress.lessons[id] = { done: true };
        } else {
          delete progress.lessons[id];
        }
      });
    },
    setTopicDone: function (id, done) {
      return update(function (progress) {
        if (done) {
          progress.topics[id] = true;
        } else {
          delete progress.topics[id];
        }
      });
    },
    // Record one checked answer. A question stays correct once it was answered
    // right, so retrying a question never takes XP away.
    recordAnswer: function (quizId, questionId, correct, total) {
      return update(function (progress) {
        var quiz = progress.quizzes[quizId] || { questions: {} };
        var previous = quiz.questions[questionId];
        quiz.questions[questionId] = {
          correct: Boolean(correct) || Boolean(previous && previous.correct),
          attempts: previous ? previous.attempts + 1 : 1,
        };
        if (typeof total === "number") {
          quiz.total = total;
        }
        progress.quizzes[quizId] = quiz;
      });
    },
    quizScore: function (quizId) {
      var quiz = load().quizzes[quizId];
      if (!quiz) {
        return null;
      }
      return { correct: countCorrect(quiz), total: quiz.total };
    },
    reset: function () {
      try {
        window.localStorage.removeItem(STORAGE_KEY);
      } catch (error) {
        // Nothing stored, so nothing to remove.
      }
      window.dispatchEvent(new CustomEvent(EVENT_NAME, { detail: emptyProgress() }));
    },
    lessonIdFromPath: function (pathname) {
      var match = LESSON_PATH.exec(pathname);
      if (!match || match[1] === "index") {
        return null;
      }
      return match[1];
    },
  };
  window.tinyformerProgress = api;

  // ---- Header XP badge -------------------------------------------------

  // The navigation links to the progress page with the site's URL style.
  function progressPageUrl() {
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (PROGRESS_PATH.test(links[i].pathname)) {
        return links[i].origin + links[i].pathname;
      }
    }
    return null;
  }

  function renderXpBadge() {
    var header = document.querySelector(".md-header__inner");
    if (!header) {
      return;
    }
    var badge = header.querySelector(".tf-xp");
    if (!badge) {
      badge = document.createElement("a");
      badge.className = "tf-xp";
      var search = header.querySelector('[data-md-component="search"]');
      header.insertBefore(badge, search || null);
    }
    var url = progressPageUrl();
    if (url) {
      badge.href = url;
    }
    var xp = api.xp();
    badge.textContent = xp + " XP";
    badge.setAttribute("aria-label", "Your progress: " + xp + " XP");
    badge.title = "Your progress, stored in this browser only";
  }

  // ---- "Mark lesson as done" on lesson pages -----------------------------

  function renderLessonToggle() {
    var lessonId = api.lessonIdFromPath(window.location.pathname);
    var article = document.querySelector("article.md-content__inner");
    if (!lessonId || !article) {
      return;
    }
    var box = article.querySelector(".tf-lesson-done");
    if (!box) {
      box = document.createElement("div");
      box.className = "tf-lesson-done";
      box.innerHTML =
        '<button type="button" class="md-button"></button>' +
        ' <span class="tf-lesson-done__status" role="status"></span>';
      box.querySelector("button").addEventListener("click", function () {
        var done = !api.isLessonDone(lessonId);
        api.setLessonDone(lessonId, done);
        box.querySelector(".tf-lesson-done__status").textContent = done
          ? "Lesson marked as done."
          : "Lesson marked as not done.";
      });
      article.appendChild(box);
    }
    var done = api.isLessonDone(lessonId);
    var button = box.querySelector("button");
    button.textContent = done ? "Mark lesson as not done" : "Mark lesson as done";
    box.dataset.done = String(done);
  }

  // ---- Skill map on the progress page ------------------------------------

  var SVG_NS = "http://www.w3.org/2000/svg";

  function readSkillNodes(map) {
    var nodes = [];
    map.querySelectorAll("a[data-skill]").forEach(function (link) {
      var requires = (link.dataset.requires || "")
        .split(/[\s,]+/)
        .filter(Boolean);
      nodes.push({
        id: link.dataset.skill,
        kind: link.dataset.kind === "topic" ? "topic" : "lesson",
        label: link.textContent.trim(),
        href: link.href,
        requires: requires,
        link: link,
      });
    });
    return nodes;
  }

  function nodeState(node, progress) {
    var done =
      node.kind === "topic" ? progress.topics[node.id] : progress.lessons[node.id];
    if (done) {
      return "done";
    }
    var requirementDone = function (id) {
      return Boolean(progress.lessons[id] || progress.topics[id]);
    };
    return node.requires.every(requirementDone) ? "unlocked" : "locked";
  }

  function svgElement(name, attributes) {
    var element = document.createElementNS(SVG_NS, name);
    Object.keys(attributes || {}).forEach(function (key) {
      element.setAttribute(key, attributes[key]);
    });
    return element;
  }

  // Lessons form a top-to-bottom chain in the left column, and each lesson's
  // glossary topics are stacked in the right column beside it.
  var LESSON_WIDTH = 200;
  var TOPIC_X = 250;
  var TOPIC_WIDTH = 230;
  var NODE_HEIGHT = 44;
  var ROW_GAP = 10;
  var GROUP_GAP = 24;

  function layoutSkillGraph(nodes) {
    var position = {};
    var y = 0;
    nodes.forEach(function (lesson) {
      if (lesson.kind !== "lesson") {
        return;
      }
      position[lesson.id] = { x: 0, y: y, width: LESSON_WIDTH };
      var rows = 0;
      nodes.forEach(function (topic) {
        if (topic.kind === "topic" && topic.requires[0] === lesson.id) {
          position[topic.id] = {
            x: TOPIC_X,
            y: y + rows * (NODE_HEIGHT + ROW_GAP),
            width: TOPIC_WIDTH,
          };
          rows += 1;
        }
      });
      y += Math.max(1, rows) * (NODE_HEIGHT + ROW_GAP) - ROW_GAP + GROUP_GAP;
    });
    return { position: position, width: TOPIC_X + TOPIC_WIDTH, height: y - GROUP_GAP };
  }

  function edgePath(from, to, kind) {
    if (kind === "topic") {
      var middle = (LESSON_WIDTH + TOPIC_X) / 2;
      return (
        "M" + LESSON_WIDTH + " " + (from.y + NODE_HEIGHT / 2) +
        " H" + middle + " V" + (to.y + NODE_HEIGHT / 2) + " H" + to.x
      );
    }
    return (
      "M" + LESSON_WIDTH / 2 + " " + (from.y + NODE_HEIGHT) +
      " V" + to.y
    );
  }

  function drawSkillGraph(nodes, states) {
    var layout = layoutSkillGraph(nodes);
    var position = layout.position;
    var width = layout.width;
    var height = layout.height;

    var svg = svgElement("svg", {
      class: "tf-skill-graph",
      viewBox: "-2 -2 " + (width + 4) + " " + (height + 4),
      role: "img",
      "aria-labelledby": "tf-skill-graph-title",
    });
    var title = svgElement("title", { id: "tf-skill-graph-title" });
    var doneCount = nodes.filter(function (node) {
      return states[node.id] === "done";
    }).length;
    title.textContent =
      "Skill map diagram: " +
      doneCount +
      " of " +
      nodes.length +
      " skills done. The list below has the same content as text.";
    svg.appendChild(title);

    var edges = svgElement("g", { class: "tf-skill-edges" });
    nodes.forEach(function (node) {
      node.requires.forEach(function (requiredId) {
        var from = position[requiredId];
        var to = position[node.id];
        if (!from || !to) {
          return;
        }
        var line = svgElement("path", { d: edgePath(from, to, node.kind) });
        line.setAttribute("data-state", states[node.id]);
        edges.appendChild(line);
      });
    });
    svg.appendChild(edges);

    nodes.forEach(function (node) {
      var at = position[node.id];
      if (!at) {
        return;
      }
      var group = svgElement("g", {
        class: "tf-skill-node",
        "data-skill": node.id,
        "data-state": states[node.id],
        "data-kind": node.kind,
        transform: "translate(" + at.x + " " + at.y + ")",
      });
      group.appendChild(
        svgElement("rect", { width: at.width, height: NODE_HEIGHT, rx: 6 })
      );
      var label = svgElement("text", { x: 10, y: 19, class: "tf-skill-label" });
      label.textContent = node.label;
      var state = svgElement("text", { x: 10, y: 36, class: "tf-skill-state" });
      state.textContent = states[node.id];
      group.appendChild(label);
      group.appendChild(state);
      svg.appendChild(group);
    });
    return svg;
  }

  function renderSkillMap() {
    var map = document.querySelector(".tf-skill-map");
    if (!map) {
      return;
    }
    var progress = load();
    var nodes = readSkillNodes(map);
    var states = {};
    nodes.forEach(function (node) {
      states[node.id] = nodeState(node, progress);
    });

    nodes.forEach(function (node) {
      var item = node.link.closest("li") || node.link.parentElement;
      item.dataset.state = states[node.id];
      var badge = item.querySelector(":scope > .tf-skill-state-text");
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "tf-skill-state-text";
        node.link.insertAdjacentElement("afterend", badge);
      }
      badge.textContent = " (" + states[node.id] + ")";
      if (node.kind !== "topic") {
        return;
      }
      var button = item.querySelector(":scope > .tf-topic-toggle");
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "tf-topic-toggle";
        button.addEventListener("click", function () {
          api.setTopicDone(node.id, !load().topics[node.id]);
        });
        badge.insertAdjacentElement("afterend", button);
      }
      var done = states[node.id] === "done";
      button.textContent = done ? "Mark as not reviewed" : "Mark as reviewed";
      button.setAttribute("aria-label", button.textContent + ": " + node.label);
      button.hidden = states[node.id] === "locked";
    });

    var old = map.querySelector(".tf-skill-graph");
    var graph = drawSkillGraph(nodes, states);
    if (old) {
      old.replaceWith(graph);
    } else {
      map.insertBefore(graph, map.firstChild);
    }
    renderSummary(progress, nodes, states);
  }

  function renderSummary(progress, nodes, states) {
    var summary = document.querySelector(".tf-progress-summary");
    if (!summary) {
      return;
    }
    var lessons = nodes.filter(function (node) {
      return node.kind === "lesson";
    });
    var lessonsDone = lessons.filter(function (node) {
      return states[node.id] === "done";
    }).length;
    var lines = [
      "Total: " + computeXp(progress) + " XP.",
      "Lessons done: " + lessonsDone + " of " + lessons.length + ".",
    ];
    // A lesson's quiz id is normally the lesson's id; other quizzes are
    // listed by their own id.
    var labels = {};
    lessons.forEach(function (lesson) {
      labels[lesson.id] = lesson.label;
    });
    Object.keys(progress.quizzes).forEach(function (quizId) {
      var quiz = progress.quizzes[quizId];
      var total = typeof quiz.total === "number" ? quiz.total : "?";
      lines.push(
        "Quiz \u201c" + (labels[quizId] || quizId) + "\u201d: " +
          countCorrect(quiz) + " of " + total + " questions right."
      );
    });
    summary.innerHTML = "";
    lines.forEach(function (line) {
      var paragraph = document.createElement("p");
      paragraph.textContent = line;
      summary.appendChild(paragraph);
    });
  }

  function setupResetButton() {
    var button = document.querySelector(".tf-reset-progress");
    if (!button || button.dataset.ready) {
      return;
    }
    button.dataset.ready = "true";
    button.hidden = false;
    button.addEventListener("click", function () {
      if (window.confirm("Reset all progress stored in this browser?")) {
        api.reset();
        var status = document.querySelector(".tf-reset-status");
        if (status) {
          status.textContent = "Progress reset.";
        }
      }
    });
  }

  function renderAll() {
    renderXpBadge();
    renderLessonToggle();
    renderSkillMap();
  }

  function onPage() {
    renderAll();
    setupResetButton();
  }

  window.addEventListener(EVENT_NAME, renderAll);
  // Another tab changed the stored progress.
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY || event.key === null) {
      renderAll();
    }
  });

  // Material's instant navigation swaps the page without a reload and emits
  // on document$ after each swap.
  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }
})();
