"""The system's Chromium for the browser tests, and the flags it needs on a closed, screenless machine
(without the background-networking flags Chromium keeps trying hosts this machine cannot reach)."""

import shutil

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--hide-scrollbars", "--mute-audio",
]
