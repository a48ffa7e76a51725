/*
 * Turn each quiz that hooks/quiz.py renders into a self-check.
 *
 * The hook's markup works without JavaScript: radio buttons and a <details>
 * "Answer" block under each question. This script hides the answer block and
 * adds a Check button and a Try again button to each question. Check writes
 * "Right" or "Not quite" and the chosen option's explanation into the
 * question's aria-live feedback paragraph. Answers are recorded through
 * window.tinyformerProgress (progress.js), which keeps them in localStorage.
 * When every question of a lesson's quiz has been answered right, the lesson
 * is marked as done.
 */
(function () {
  "use strict";

  function progressApi() {
    return window.tinyformerProgress || null;
  }

  function explanationFor(input) {
    var item = document.getElementById(input.id + "-why");
    var fragment = document.createDocumentFragment();
    if (!item) {
      return fragment;
    }
    var clone = item.cloneNode(true);
    // The item starts with its own "Correct:" or "Not quite:" label.
    var label = clone.firstElementChild;
    if (label && label.tagName === "STRONG") {
      label.remove();
    }
    var span = document.createElement("span");
    span.className = "quiz-why";
    while (clone.firstChild) {
      span.appendChild(clone.firstChild);
    }
    fragment.appendChild(document.createTextNode(" "));
    fragment.appendChild(span);
    return fragment;
  }

  function clearMarks(fieldset) {
    fieldset.querySelectorAll(".quiz-option").forEach(function (option) {
      option.classList.remove("quiz-option--right", "quiz-option--wrong");
    });
  }

  function writeFeedback(feedback, state, heading, body, tail) {
    feedback.textContent = "";
    feedback.dataset.state = state;
    var strong = document.createElement("strong");
    strong.textContent = heading;
    feedback.appendChild(strong);
    if (body) {
      feedback.appendChild(body);
    }
    if (tail) {
      feedback.appendChild(document.createTextNode(" " + tail));
    }
  }

  function renderScore(form) {
    var score = form.querySelector(".quiz-score");
    var api = progressApi();
    if (!score || !api) {
      return;
    }
    var total = form.querySelectorAll("fieldset.quiz-question").length;
    var stored = api.quizScore(form.dataset.quizId);
    var correct = stored ? stored.correct : 0;
    score.textContent =
      "Your score: " + correct + " of " + total + " questions answered right.";
  }

  function checkQuestion(form, fieldset) {
    var feedback = fieldset.querySelector("[data-quiz-feedback]");
    var chosen = fieldset.querySelector('input[type="radio"]:checked');
    clearMarks(fieldset);
    if (!chosen) {
      writeFeedback(feedback, "empty", "Choose an option first.");
      return;
    }
    var option = chosen.closest(".quiz-option");
    var correct = option.dataset.correct === "true";
    option.classList.add(correct ? "quiz-option--right" : "quiz-option--wrong");
    fieldset.querySelector(".quiz-retry").hidden = false;

    var tail = correct ? "" : "Choose another option and check again.";
    var api = progressApi();
    if (api) {
      var total = form.querySelectorAll("fieldset.quiz-question").length;
      var quizId = form.dataset.quizId;
      api.recordAnswer(quizId, fieldset.dataset.questionId, correct, total);
      var score = api.quizScore(quizId);
      var lessonId = api.lessonIdFromPath(window.location.pathname);
      if (correct && score && score.correct === total && lessonId) {
        if (!api.isLessonDone(lessonId)) {
          api.setLessonDone(lessonId, true);
          tail = "Every question is right, so the lesson is marked as done.";
        }
      }
      renderScore(form);
    }
    writeFeedback(
      feedback,
      correct ? "right" : "wrong",
      correct ? "Right." : "Not quite.",
      explanationFor(chosen),
      tail
    );
  }

  function resetQuestion(fieldset) {
    fieldset.querySelectorAll('input[type="radio"]').forEach(function (input) {
      input.checked = false;
    });
    clearMarks(fieldset);
    var feedback = fieldset.querySelector("[data-quiz-feedback]");
    feedback.textContent = "";
    delete feedback.dataset.state;
    fieldset.querySelector(".quiz-retry").hidden = true;
    var first = fieldset.querySelector('input[type="radio"]');
    if (first) {
      first.focus();
    }
  }

  function makeButton(className, text) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button " + className;
    button.textContent = text;
    return button;
  }

  function enhanceQuestion(form, fieldset) {
    var answer = fieldset.querySelector("details.quiz-answer");
    if (answer) {
      answer.hidden = true;
    }
    var feedback = fieldset.querySelector("[data-quiz-feedback]");
    var actions = document.createElement("div");
    actions.className = "quiz-actions";
    var check = makeButton("md-button--primary quiz-check", "Check");
    var retry = makeButton("quiz-retry", "Try again");
    retry.hidden = true;
    check.addEventListener("click", function () {
      checkQuestion(form, fieldset);
    });
    retry.addEventListener("click", function () {
      resetQuestion(fieldset);
    });
    actions.appendChild(check);
    actions.appendChild(retry);
    fieldset.insertBefore(actions, feedback);
  }

  function enhanceQuiz(form) {
    if (form.dataset.interactive === "true") {
      return;
    }
    form.dataset.interactive = "true";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.querySelectorAll("fieldset.quiz-question").forEach(function (fieldset) {
      enhanceQuestion(form, fieldset);
    });
    var score = document.createElement("p");
    score.className = "quiz-score";
    form.appendChild(score);
    renderScore(form);
  }

  function enhanceAll() {
    document.querySelectorAll("form.quiz[data-quiz-id]").forEach(enhanceQuiz);
  }

  // Progress changed elsewhere, for example by Reset progress in another tab.
  window.addEventListener("tinyformer:progress", function () {
    document.querySelectorAll("form.quiz[data-quiz-id]").forEach(renderScore);
  });

  // Material's instant navigation emits on document$ after each page swap.
  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(enhanceAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
