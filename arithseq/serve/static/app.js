// The page of `arithseq serve`: no libraries, no network beyond its own server (it must work offline).
"use strict";
(function () {
  var unsure = parseFloat(document.body.dataset.unsure) || 0.9;
  var runs = [];
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function percent(x) { return (100 * x).toFixed(2) + "%"; }

  function showRun(i) {
    var info = runs[i], dl = $("headline"), ul = $("worst");
    dl.textContent = ""; ul.textContent = "";
    var rows = [["task", info.task], ["recipe", info.recipe || "-"], ["model", info.model], ["mode", info.mode]];
    if (info.exact_match !== undefined) rows.push(["exact match", percent(info.exact_match) + " (n=" + info.n.toLocaleString() + ", " + info.source + ")"]);
    if (info.worst) rows.push(["worst stratum", info.worst.group + " " + info.worst.stratum + ": " + percent(info.worst.exact_match) + " (n=" + info.worst.n + ")"]);
    if (info.exact_match === undefined) rows.push(["figures", "none saved (arithseq evaluate writes them)"]);
    rows.forEach(function (r) { dl.appendChild(el("dt", {text: r[0]})); dl.appendChild(el("dd", {text: r[1]})); });
    (info.wrong_examples || []).forEach(function (w) {
      var b = el("button", {type: "button", text: w.input, "class": "try"});
      b.addEventListener("click", function () { $("q").value = w.input; ask(); });
      ul.appendChild(el("li", {}, [b, el("span", {text: " expected " + w.expected + ", wrote " + w.predicted})]));
    });
  }

  function chars(list) {
    if (!list) return null;
    var box = el("div", {"class": "chars", title: "each character as written, with the probability the network gave it"});
    list.forEach(function (c) {
      var p = c[1];
      box.appendChild(el("span", {"class": p < unsure ? "unsure" : "", title: "p = " + p}, [
        document.createTextNode(c[0]), el("small", {text: (100 * p).toFixed(0) + "%"})]));
    });
    return box;
  }

  function heatmap(att) {
    // rows: characters written; columns: characters read; darker = more attention
    var t = el("table", {"class": "heat", id: "heatmap", title: "which input character each written character attended to"});
    t.appendChild(el("tr", {}, [el("th", {})].concat(att.input.map(function (c) { return el("th", {text: c}); }))));
    att.output.forEach(function (c, i) {
      t.appendChild(el("tr", {}, [el("th", {text: c})].concat(att.weights[i].map(function (w) {
        var cell = el("td", {title: w.toFixed(3)});
        cell.style.background = "rgba(13, 71, 161, " + Math.min(1, w).toFixed(3) + ")";
        return cell;
      }))));
    });
    return el("div", {}, [el("h3", {text: "attention (rows: written, columns: read)"}), t]);
  }

  function mark(r) {
    if (r.correct === null || r.correct === undefined) return el("span", {"class": "mark", text: "?"});
    return el("span", {"class": "mark " + (r.correct ? "ok" : "wrong"), id: "mark", text: r.correct ? "\u2713 right" : "\u2717 wrong"});
  }

  function one(r) {
    var box = el("div", {"class": "one"});
    if (r.error) {
      box.appendChild(el("div", {"class": "error", id: "line-error", text: r.expression + "\n" + " ".repeat(Math.max(0, (r.error.column || 1) - 1)) + "^\n" + r.error.message}));
      return box;
    }
    box.appendChild(el("div", {"class": "answer"}, [el("span", {id: "answer", text: r.answer}), document.createTextNode(" "), mark(r)]));
    box.appendChild(el("div", {"class": "exact", text: "exact value: " + (r.exact === null ? "unknown" : r.exact) + " \u00b7 " + r.mode + (runs.length && runs[+$("run").value].reversed ? " \u00b7 numbers written least significant digit first" : "")}));
    var written = chars(r.chars);
    if (written) box.appendChild(written);
    (r.warnings || []).forEach(function (w) { box.appendChild(el("div", {"class": "warning", text: "warning: " + w})); });
    if (r.attention) box.appendChild(heatmap(r.attention));
    if (r.steps && r.steps.length) {
      var list = el("ol", {"class": "steps"});
      r.steps.forEach(function (s) {
        var item = el("li", {text: s.step === s.written ? s.written : s.step + " \u2192 " + s.written});
        if (s.chars) item.appendChild(chars(s.chars));
        list.appendChild(item);
      });
      box.appendChild(el("div", {}, [el("h3", {text: r.mode === "decoding loop" ? "steps of the decoding loop" : "scratchpad"}), list]));
    }
    return box;
  }

  function table(results) {
    var t = el("table", {id: "table"}, [el("tr", {}, ["expression", "answer", "exact", "", "note"].map(function (h) { return el("th", {text: h}); }))]);
    results.forEach(function (r) {
      t.appendChild(el("tr", {}, [
        el("td", {text: r.expression}), el("td", {text: r.error ? "" : r.answer}), el("td", {text: r.error ? "" : (r.exact === null ? "?" : r.exact)}),
        el("td", {}, [r.error ? null : mark(r)]),
        el("td", {"class": r.error ? "error" : "warning", text: r.error ? "column " + r.error.column + ": " + r.error.message : (r.warnings || []).join("; ")})]));
    });
    return t;
  }

  function ask() {
    var lines = $("q").value.split("\n").filter(function (l) { return l.trim(); });
    $("error").hidden = true;
    if (!lines.length) return;
    var url = "/api/predict?run=" + $("run").value;
    history.replaceState(null, "", "/?q=" + encodeURIComponent(lines.join("\n")) + "&run=" + $("run").value);
    fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({expressions: lines})})
      .then(function (resp) { return resp.json().then(function (body) { return {ok: resp.ok, body: body}; }); },
            function (e) { return {ok: false, body: {error: "the server did not answer: " + e}}; })
      .then(function (r) {
        var out = $("result");
        out.textContent = "";
        if (!r.ok) { $("error").textContent = r.body.error; $("error").hidden = false; return; }
        out.appendChild(r.body.results.length === 1 ? one(r.body.results[0]) : table(r.body.results));
      })
      .catch(function (e) { $("error").textContent = "the page failed to show the answer: " + e; $("error").hidden = false; });
  }

  $("form").addEventListener("submit", function (e) { e.preventDefault(); ask(); });
  $("q").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); ask(); }
  });
  $("run").addEventListener("change", function () { showRun(+$("run").value); if ($("q").value.trim()) ask(); });

  fetch("/api/runs").then(function (r) { return r.json(); }).then(function (body) {
    runs = body.runs;
    runs.forEach(function (info, i) {
      $("run").appendChild(el("option", {value: String(i), text: info.task + " \u00b7 " + (info.recipe || info.model) + " \u00b7 " + info.path}));
    });
    var params = new URLSearchParams(location.search);
    var pick = params.get("run");
    if (pick !== null && +pick < runs.length) $("run").value = pick;
    showRun(+$("run").value);
    if (params.get("q")) { $("q").value = params.get("q"); ask(); }
    document.body.dataset.ready = "1";
  });
})();
