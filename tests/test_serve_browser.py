"""arithseq serve in a real headless Chromium (Selenium with the system's chromedriver): type, press Enter,
read the answer and its mark; a bad expression shows its error; /?q= opens answered; a screenshot is a page."""

import shutil
import socket
import threading
import time

import numpy as np
import pytest

import arithseq
from chromium import CHROMIUM, FLAGS

pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no chromium/chromedriver on PATH (Debian: apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from arithseq.serve.app import create_app

    config = arithseq.TrainConfig(
        task="addition", task_options={"largest": 20}, model="attention", model_options={"units": 8, "embedding_dim": 4},
        epochs=2, steps_per_epoch=3, batch_size=16, val_size=16, test_size=16, jit=False, target=0,
    )
    run = arithseq.train(config, tmp_path_factory.mktemp("browser") / "run", verbose=0, echo=lambda *_: None)
    app = create_app([arithseq.load_run(run.path)])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", run
    server.should_exit = True
    thread.join(timeout=10)
    app.state.close()


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, "--window-size=1200,800"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def wait(driver, what, seconds=60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(what)


def ask(browser, base, text):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(base + "/")
    wait(browser, lambda d: d.execute_script("return document.body.dataset.ready"))
    box = browser.find_element(By.ID, "q")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def test_typing_an_expression_and_pressing_enter_shows_the_answer_and_its_mark(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    base, run = server
    ask(browser, base, "2+2")
    answer = wait(browser, lambda d: d.find_elements(By.ID, "answer"))[0].text
    assert answer == arithseq.load_run(run.path).predict("2+2")
    assert browser.find_elements(By.ID, "heatmap")  # an attention model: the heat map is shown
    mark = browser.find_element(By.ID, "mark").text
    assert mark == ("\u2713 right" if answer == "4" else "\u2717 wrong")
    shot = tmp_path / "page.png"
    browser.save_screenshot(str(shot))
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    assert pixels.shape[0] > 300 and np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 20  # not blank
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []


def test_a_bad_expression_shows_its_error_with_the_column(server, browser):
    from selenium.webdriver.common.by import By

    base, _ = server
    ask(browser, base, "2+*3")
    error = wait(browser, lambda d: d.find_elements(By.ID, "line-error"))[0].text
    assert "column 3" in error


def test_the_page_opens_answered_from_q_and_worst_examples_are_clickable(server, browser):
    from selenium.webdriver.common.by import By

    base, _ = server
    browser.get(base + "/?q=10%2B10")
    assert wait(browser, lambda d: d.find_elements(By.ID, "answer"))
    assert "exact value: 20" in browser.find_element(By.CLASS_NAME, "exact").text
    tries = browser.find_elements(By.CLASS_NAME, "try")
    if tries:  # the tiny run gets examples wrong: one click asks the first
        text = tries[0].text
        tries[0].click()
        wait(browser, lambda d: d.find_element(By.ID, "q").get_attribute("value") == text)
        assert wait(browser, lambda d: d.find_elements(By.ID, "answer"))


def test_several_lines_give_a_table_with_each_lines_error(server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, _ = server
    browser.get(base + "/")
    wait(browser, lambda d: d.execute_script("return document.body.dataset.ready"))
    box = browser.find_element(By.ID, "q")
    box.send_keys("1+7")
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    box.send_keys("1+")
    box.send_keys(Keys.ENTER)
    table = wait(browser, lambda d: d.find_elements(By.ID, "table"))[0]
    rows = table.find_elements(By.TAG_NAME, "tr")[1:]
    assert [row.find_elements(By.TAG_NAME, "td")[0].text for row in rows] == ["1+7", "1+"]
    assert "column 3" in rows[1].text and rows[0].find_elements(By.TAG_NAME, "td")[2].text == "8"
