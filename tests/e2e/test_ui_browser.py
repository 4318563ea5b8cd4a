"""The web UI in a real browser: Debian's headless Chromium (driven by Selenium through Debian's
chromedriver) against a `cairn server` populated through the stock mlflow client.

The data: an experiment with 10,000 runs (metric `acc`, params, a tag), a run with a 100,000-step
metric, a run with artifacts of every preview kind, a registered model with three versions, and
`<script>` / `onerror` payloads in every user-supplied field. Each test asserts on the rendered DOM
and saves a screenshot of each page it visits under $CAIRN_E2E_OUTPUT (default
tests/e2e/output/<backend>/ui/).
"""

from __future__ import annotations

import os
import shutil
import signal
import multiprocessing
import struct
import threading
import zlib
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from e2e_support import BACKEND_KIND, ServerProcess, unique

pytestmark = [
    pytest.mark.mlflow_differs(reason="this is Cairn's own web UI"),
    # One worker populates the server once for the whole module (run with --dist loadgroup).
    pytest.mark.xdist_group("ui_browser"),
]

RUNS = 10_000
CURVE_STEPS = 100_000
XSS = "<script>window.__xss = 1</script>"
XSS_IMG = "<img src=x onerror=\"window.__xss = 2\">"
OUTPUT = Path(os.environ.get("CAIRN_E2E_OUTPUT", Path(__file__).parent / "output" / BACKEND_KIND / "ui"))


def _acc(index: int) -> float:
    """A distinct accuracy per run: a permutation of 0.0000 … 0.9999."""
    return (index * 7919 % RUNS) / RUNS


def _png(width: int, height: int) -> bytes:
    """A real RGB PNG (a horizontal gradient), written by hand so the suite needs no imaging library."""
    rows = b"".join(b"\x00" + bytes(channel for x in range(width) for channel in (x * 255 // width, 90, 200)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _make_runs(url: str, experiment_id: str, indices: range) -> list[tuple[int, str]]:
    """Creates runs `run-<index>` with metric `acc`, params `lr` and `depth` and tag `team`, two calls each."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    client = MlflowClient(tracking_uri=url)

    def make(index: int) -> tuple[int, str]:
        run = client.create_run(experiment_id, run_name=f"run-{index:05d}", start_time=1_700_000_000_000 + index * 1000,
                                tags={"team": "vision" if index % 2 else "nlp"})
        client.log_batch(run.info.run_id, metrics=[Metric("acc", _acc(index), 1_700_000_000_000, 0)],
                         params=[Param("lr", str(0.001 * (index % 10 + 1))), Param("depth", str(index % 7))])
        return index, run.info.run_id

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(make, indices))


def _populate(url: str, workdir: Path) -> SimpleNamespace:
    import mlflow
    import numpy as np
    from mlflow import MlflowClient
    from mlflow.entities import Metric
    from sklearn.linear_model import LogisticRegression

    client = MlflowClient(tracking_uri=url)
    big = client.create_experiment(unique("ui-big"))
    # The client spends more CPU per call than the server: spread the 20,000 calls over processes.
    # Spawned, not forked: this worker has threads by now (the mlflow client's, earlier tests'),
    # and a forked child can wait for ever on a lock one of them held (a CI run hung there).
    chunks = [range(start, RUNS, 4) for start in range(4)]
    with ProcessPoolExecutor(max_workers=4, mp_context=multiprocessing.get_context("spawn")) as pool:
        made = dict(item for part in pool.map(_make_runs, [url] * 4, [big] * 4, chunks) for item in part)
    run_ids = [made[index] for index in range(RUNS)]

    # A run with a 100,000-step learning curve, logged a second apart.
    details = client.create_experiment(unique("ui-details"))
    curve = client.create_run(details, run_name="long-curve").info.run_id
    for start in range(0, CURVE_STEPS, 1000):
        client.log_batch(curve, metrics=[Metric("loss", 1.0 / (step + 1) + (2.0 if step == 77_777 else 0.0),
                                                1_700_000_000_000 + step * 1000, step) for step in range(start, start + 1000)])
    client.log_param(curve, "optimizer", "adam")
    client.set_terminated(curve)

    # A run with artifacts of every preview kind, and hostile names and contents.
    files = workdir / "to-upload"
    (files / "data").mkdir(parents=True)
    (files / "notes.txt").write_text("Training notes\n" + XSS + "\n")
    (files / "config.json").write_text('{"optimizer": "adam", "layers": [64, 32]}\n')
    (files / "params.yaml").write_text("optimizer: adam\nlayers:\n  - 64\n  - 32\n")
    (files / "data" / "predictions.csv").write_text('id,label,comment\n1,cat,"hello, world"\n2,dog,"' + XSS.replace('"', '""') + '"\n')
    (files / "curve.png").write_bytes(_png(120, 40))
    (files / (XSS_IMG.replace("/", "") + ".txt")).write_text("hostile name\n")
    hostile = client.create_run(details, run_name=XSS, tags={"note": XSS_IMG}).info.run_id
    client.log_param(hostile, "payload", XSS)
    client.log_metric(hostile, "loss", 0.25)
    client.log_artifacts(hostile, str(files))
    client.set_terminated(hostile)

    # A registered model with three versions, each from its own run.
    mlflow.set_tracking_uri(url)
    mlflow.set_experiment(experiment_id=details)
    model_name = unique("ui-model")
    features, labels = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    versions = []
    for c in (0.1, 1.0, 10.0):
        with mlflow.start_run(run_name=f"train-C{c}") as run:
            mlflow.log_param("C", c)
            mlflow.log_metric("auc", 0.8 + c / 100)
            mlflow.sklearn.log_model(LogisticRegression(C=c).fit(features, labels), name="model", pip_requirements=["scikit-learn"])
        versions.append(mlflow.register_model(f"runs:/{run.info.run_id}/model", model_name))
    client.transition_model_version_stage(model_name, versions[1].version, "Production")
    client.set_registered_model_alias(model_name, "champion", versions[2].version)
    return SimpleNamespace(big=big, run_ids=run_ids, details=details, curve=curve, hostile=hostile,
                           model=model_name, versions=versions)


@pytest.fixture(scope="module")
def ui(tmp_path_factory, backends):
    base = tmp_path_factory.mktemp("ui-server")
    server = ServerProcess(store_uri=backends().new_store_uri(base / "db"), artifacts_dir=base / "artifacts",
                           log_path=base / "server.log")
    server.start()
    try:
        data = _populate(server.url, base)
        data.url = server.url
        yield data
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("Debian's chromium and chromium-driver are needed (scripts/test.sh installs them)", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1440,1000",
                     "--disable-extensions", "--no-first-run", "--proxy-server=direct://", "--proxy-bypass-list=*"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    yield driver
    # chromedriver has been seen to hang in quit() once the pages are done; bound it, then kill
    # chromedriver and the browser it started, so a stuck browser cannot stall the suite.
    quitter = threading.Thread(target=driver.quit, daemon=True)
    quitter.start()
    quitter.join(timeout=30)
    if quitter.is_alive():
        service = driver.service.process
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if entry.isdigit() and int(stat.read().rsplit(")", 1)[1].split()[1]) == service.pid:
                        os.kill(int(entry), signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                continue
        service.kill()


class Page:
    """Opens pages, checks that no injected script ran, and saves screenshots."""

    def __init__(self, driver, base: str):
        self.driver, self.base = driver, base

    def open(self, path: str, shot: str):
        self.driver.get(self.base + path)
        return self.settle(shot)

    def settle(self, shot: str):
        assert self.driver.execute_script("return window.__xss === undefined"), "an injected script ran"
        assert self.driver.execute_script("return document.readyState") == "complete"
        self.driver.save_screenshot(str(OUTPUT / f"{shot}.png"))
        return self.driver

    def css(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def one(self, selector: str):
        found = self.css(selector)
        assert found, f"no element matches {selector!r} on {self.driver.current_url}"
        return found[0]

    def column(self, title: str) -> list[str]:
        """The texts of the runs table's column headed `title` (sort marker ignored)."""
        headers = [th.text.rstrip(" ↑↓") for th in self.css("table.runs thead th")]
        index = headers.index(title) + 1
        return [td.text for td in self.css(f"table.runs tbody tr td:nth-child({index})")]


@pytest.fixture
def page(browser, ui):
    return Page(browser, ui.url)


def test_experiments_list_and_search(page, ui):
    page.open("/", "01-experiments")
    names = [a.text for a in page.css("table a[href^='/experiments/']")]
    assert any(name.startswith("ui-big") for name in names)
    box = page.one("form.filter input[name=filter]")
    box.send_keys("name LIKE 'ui-details%'")
    box.submit()
    page.settle("02-experiments-filtered")
    names = [a.text for a in page.css("table a[href^='/experiments/']")]
    assert names and all(name.startswith("ui-details") for name in names)


def test_runs_page_sorts_pages_and_filters(page, ui):
    page.open(f"/experiments/{ui.big}", "03-runs")
    assert len(page.css("table.runs tbody tr")) == 100
    # Sort by acc: first click descending, second ascending.
    next(a for a in page.css("table.runs thead th a") if a.text.startswith("acc")).click()
    page.settle("04-runs-sorted-by-acc")
    assert page.column("acc")[:3] == ["0.9999", "0.9998", "0.9997"]
    next(a for a in page.css("table.runs thead th a") if a.text.startswith("acc")).click()
    page.settle("05-runs-sorted-ascending")
    assert page.column("acc")[:2] == ["0", "0.0001"]
    assert page.one("th[aria-sort=ascending]").text.startswith("acc")
    # The next page continues the order.
    page.one("a[rel=next]").click()
    page.settle("06-runs-page-2")
    assert page.column("acc")[0] == "0.01"
    assert len(page.css("table.runs tbody tr")) == 100
    page.driver.back()
    assert page.column("acc")[0] == "0"

    box = page.one("form.filter input[name=filter]")
    box.clear()
    box.send_keys("metrics.acc >= 0.999 and tags.team = 'vision'")
    box.submit()
    page.settle("07-runs-filtered")
    rows = page.css("table.runs tbody tr")
    expected = sum(1 for i in range(RUNS) if _acc(i) >= 0.999 and i % 2)
    assert len(rows) == expected and expected > 0
    assert all(float(value) >= 0.999 for value in page.column("acc"))
    assert "order=" in page.driver.current_url  # the sort survives filtering

    box = page.one("form.filter input[name=filter]")
    box.clear()
    box.send_keys("metrics.acc >> 1")
    box.submit()
    page.settle("08-runs-invalid-filter")
    error = page.one("p.error[role=alert]")
    assert "Invalid comparator" in error.text
    assert page.one("form.filter input[name=filter]").get_attribute("value") == "metrics.acc >> 1"
    assert not page.css("table.runs tbody tr")


def test_column_picker_shows_a_tag_column(page, ui):
    page.open(f"/experiments/{ui.big}", "09-columns-default")
    assert "team" not in [th.text for th in page.css("table.runs thead th")]
    page.one("details.columns summary").click()
    page.settle("10-column-picker-open")
    page.one("input[name=col][value='tags.team']").click()
    page.one("input[name=col][value='params.depth']").click()  # a default column, now hidden
    page.one("form.columns button").click()
    page.settle("11-columns-chosen")
    headers = [th.text for th in page.css("table.runs thead th")]
    assert "team" in headers and "depth" not in headers
    assert set(page.column("team")) == {"vision", "nlp"}


def test_compare_two_runs(page, ui):
    page.open(f"/experiments/{ui.big}?order=metrics.%60acc%60%20DESC", "12-compare-select")
    boxes = page.css("table.runs tbody input[type=checkbox]")
    boxes[0].click()
    boxes[1].click()
    page.one(".pager button[type=submit]").click()
    page.settle("13-compare")
    assert page.one("h1").text == "Compare 2 runs"
    assert len(page.css("figure.chart polyline")) == 2
    assert len(page.css("figure.chart circle")) == 2  # one-point series are drawn as dots
    differing = [row.find_element("css selector", "th").text for row in page.css("tr.differs")]
    assert "metric acc" in differing
    same = [row.find_element("css selector", "th").text for row in page.css("table.compare tbody tr:not(.differs)")]
    assert all(label not in differing for label in same)


def test_run_page_draws_a_100000_step_metric(page, ui):
    page.open(f"/runs/{ui.curve}", "14-run-long-curve")
    assert page.one("h1").text == "long-curve"
    assert "loss (100000 points)" in page.one("figure.chart figcaption").text
    svg = page.one("figure.chart svg")
    drawn = int(svg.get_attribute("data-points"))
    assert 100 < drawn <= 600
    assert svg.size["width"] > 300  # laid out, not collapsed
    labels = [t.text for t in page.css("figure.chart svg text")]
    assert labels[0].startswith("2.0")  # the spike at step 77,777 (2.00001) survives downsampling as the maximum
    next(a for a in page.css("p.axis a") if a.text == "Relative time").click()
    page.settle("15-run-long-curve-time")
    assert page.one("figure.chart svg").get_attribute("data-axis") == "time"
    page.driver.back()
    assert page.one("figure.chart svg").get_attribute("data-axis") == "step"


def test_artifact_browser_previews_every_kind(page, ui):
    page.open(f"/runs/{ui.hostile}", "16-run-hostile")
    assert page.one("h1").text == XSS  # rendered as text
    page.one("a[href$='/artifacts']").click()
    page.settle("17-artifacts-root")
    names = [a.text for a in page.css("table.artifacts a")]
    assert "blobs/" not in names  # only this run's files
    for name in ("data/", "notes.txt", "config.json", "params.yaml", "curve.png"):
        assert name in names, names
    hostile_name = XSS_IMG.replace("/", "") + ".txt"
    assert hostile_name in names

    def open_artifact(name: str, shot: str):
        next(a for a in page.css("table a") if a.text == name).click()
        page.settle(shot)

    open_artifact("notes.txt", "18-preview-text")
    assert XSS in page.one("pre.preview").text
    page.driver.back()
    open_artifact("config.json", "19-preview-json")
    assert '"layers": [64, 32]' in page.one("pre.preview").text
    page.driver.back()
    open_artifact("params.yaml", "20-preview-yaml")
    assert "optimizer: adam" in page.one("pre.preview").text
    page.driver.back()
    open_artifact("curve.png", "21-preview-image")
    image = page.one("img.preview")
    assert page.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) == 120
    page.driver.back()
    open_artifact(hostile_name, "22-preview-hostile-name")
    assert "hostile name" in page.one("pre.preview").text
    page.driver.back()
    open_artifact("data/", "23-artifacts-folder")
    open_artifact("predictions.csv", "24-preview-csv")
    cells = [[td.text for td in row.find_elements("css selector", "td")] for row in page.css("table.csv tbody tr")]
    assert cells == [["1", "cat", "hello, world"], ["2", "dog", XSS]]
    download = page.one("a[download], a.download")
    assert download.get_attribute("href").endswith("data/predictions.csv")


def test_escaping_of_params_and_tags(page, ui):
    page.open(f"/runs/{ui.hostile}", "25-run-hostile-params")
    values = [td.text for td in page.css("table.kv td")]
    assert XSS in values and XSS_IMG in values
    assert not page.css("table.kv img, table.kv script")
    page.open(f"/experiments/{ui.details}?col=tags.note&col=params.payload", "26-runs-hostile")
    assert XSS in page.column("payload") and XSS_IMG in page.column("note")
    assert XSS in [a.text for a in page.css("table.runs tbody a")]


def test_models_and_model_page(page, ui):
    page.open("/models", "27-models")
    row = next(tr for tr in page.css("table tbody tr") if ui.model in tr.text)
    assert "Production" in row.text and "champion" in row.text
    row.find_element("css selector", f"a[href='/models/{quote(ui.model)}']").click()
    page.settle("28-model")
    versions = page.css("table.versions tbody tr")
    assert len(versions) == 3
    assert [tr.find_element("css selector", "td").text for tr in versions] == ["v3", "v2", "v1"]
    assert "Production" in versions[1].text and "@champion" in versions[0].text
    assert all(tr.find_elements("css selector", "a[href^='/runs/']") for tr in versions)  # source runs
    history = page.one("table.history").text
    assert "stage_changed" in history and "alias" in history
    next(a for a in page.css("table.versions a") if a.text == "v1").click()
    page.settle("29-model-version-1")
    lineage = page.one("table.lineage").text
    assert "train-C0.1" in lineage and "C=0.1" in lineage and "auc=0.801" in lineage
    manifest = [td.text for td in page.css("table.manifest td.path")]
    assert "MLmodel" in manifest and any(name.endswith(".pkl") or name.endswith(".skops") for name in manifest)
    assert all(len(td.text) == 64 for td in page.css("table.manifest td.hash"))


def test_unknown_pages_are_404_pages(page, ui):
    page.open("/runs/0123456789abcdef0123456789abcdef", "30-not-found")
    assert page.one("h1").text == "Not found"
    assert page.one("nav.top a.brand").text == "Cairn"
