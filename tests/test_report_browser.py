"""report.html in a real browser (headless Chromium): every image loads, nothing is logged to the
console, and a screenshot shows a page, not a blank.

A copy of the page gets a small probe script at the top of <head>: it records load errors and, once
the page has loaded, each image's state into the DOM, which ``chromium --dump-dom`` prints. Console
messages come from Chromium's log on stderr (``--enable-logging=stderr``): the report has no scripts,
so any console message at all is a fault.
"""

import html
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import arithseq
from arithseq.report.html import write_report
from chromium import CHROMIUM, FLAGS

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (Debian: apt-get install chromium); the page cannot be opened"
)
PROBE = """<script>
window.__probeErrors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__probeErrors.push(t && t !== window && t.tagName ? "could not load a <" + t.tagName.toLowerCase() + ">" : String(e.message));
}, true);
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (img) {
    return {complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
            shown: img.getBoundingClientRect().width, data: img.src.indexOf("data:image/png;base64,") === 0};
  });
  var out = document.createElement("pre");
  out.id = "arithseq-probe";
  out.textContent = JSON.stringify({images: images, errors: window.__probeErrors});
  document.body.appendChild(out);
});
</script>"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = Path(tmp_path) / f"profile-{len(list(Path(tmp_path).glob('profile-*')))}"
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)


def probe(page: Path, tmp_path: Path) -> tuple[dict, list[str]]:
    """(what the probe recorded, console lines Chromium logged) for a copy of ``page`` with the probe, in
    another folder than the page's own: a self-contained page needs nothing next to it."""
    text = page.read_text(encoding="utf-8")
    probed = tmp_path / "probed" / page.name
    probed.parent.mkdir(exist_ok=True)
    probed.write_text(text.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    done = chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom",
                    probed.resolve().as_uri())
    found = re.search(r'<pre id="arithseq-probe">(.*?)</pre>', done.stdout, re.S)
    assert found, f"the page did not finish loading in Chromium:\n{done.stderr[-3000:]}"
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return json.loads(html.unescape(found.group(1))), console


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    config = arithseq.TrainConfig(
        task="addition", task_options={"largest": 20}, model="attention", model_options={"units": 8, "embedding_dim": 4},
        epochs=2, steps_per_epoch=3, batch_size=16, val_size=16, test_size=16, jit=False, target=0,
    )
    run = arithseq.train(config, tmp_path_factory.mktemp("browser") / "run", verbose=0, echo=lambda *_: None)
    return write_report(run)


def test_every_image_loads_and_the_console_stays_quiet(page, tmp_path):
    state, console = probe(page, tmp_path)
    images = state["images"]
    assert len(images) >= 5  # two learning curves, the heat map, the strata
    broken = [i for i, img in enumerate(images) if not (img["complete"] and img["width"] > 0 and img["height"] > 0)]
    assert broken == [], f"broken images (by position): {broken}"
    assert all(img["data"] for img in images)
    assert all(img["shown"] > 100 for img in images), "an image is drawn too small to read"
    assert state["errors"] == []
    assert console == []


def test_the_probe_notices_a_broken_page(tmp_path):
    """The checks above can fail: a broken image and a script error are caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>bad</title></head><body><img src="data:image/png;base64,AAAA">'
                   '<img src="missing.png"><script>undefinedFunction();</script></body></html>', encoding="utf-8")
    state, console = probe(bad, tmp_path)
    assert [img["width"] for img in state["images"]] == [0, 0]
    assert state["errors"] and any("Uncaught" in line for line in console)


def test_a_screenshot_is_not_blank(page, tmp_path):
    import matplotlib.image

    shot = tmp_path / "shot.png"
    done = chromium(tmp_path, "--screenshot=" + str(shot), "--window-size=1280,2400", page.resolve().as_uri())
    assert shot.exists(), done.stderr[-3000:]
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2400, 1280)
    colours = np.unique((pixels * 255).round().astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 64, f"only {len(colours)} colours: the page looks blank"
    inked = (pixels < 0.9).any(axis=-1).mean()
    assert inked > 0.03, f"only {inked:.1%} of the screenshot is not white"
