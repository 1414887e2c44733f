"""``hfsim app`` in a real browser: headless Chromium drives the dashboard end to end.

The test starts ``hfsim app app.port=<free port>`` in its own process group (127.0.0.1 only,
with the server's network guard logging any connection to another host), opens the page in
Debian's Chromium through Playwright, moves a slider and the seed, presses Step, Play and
Pause and Reset, and checks that the views' images change, that the browser console shows no
errors, that neither the page nor the server contacts any host but localhost, and that Ctrl-C
stops the server cleanly. A screenshot goes to ``test-artifacts/dashboard.png`` (or
``$HFSIM_DASH_SCREENSHOT``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("HFSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
# The one console warning Solara 1.58 itself emits (its navigator.vue has no module.exports).
KNOWN_WARNINGS = ("Failed to evaluate Vue script and find module.exports",)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEOUT_MS = 30_000  # per wait: generous for a loaded 2-core machine
VIEWS = ("stock", "map", "flows", "retention", "costs", "landlords")
IMAGES = {name: f".hf-view-{name} img" for name in VIEWS}


def _playwright():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (the dev extra)")
    return sync_playwright


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hfsim() -> list[str]:
    script = Path(sys.executable).parent / "hfsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hfsim.cli"]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"hfsim app exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen, sig: int = signal.SIGINT) -> int:
    """Signal the server's process group (Ctrl-C by default); kill it if it hangs."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    return proc.returncode


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    sync_playwright = _playwright()  # skip before starting anything
    port = _free_port()
    tmp = tmp_path_factory.mktemp("app")
    log = tmp / "server.log"
    env = dict(os.environ, HFSIM_DASH_NET_GUARD="log", PYTHONUNBUFFERED="1")
    command = [*_hfsim(), "app", f"app.port={port}", f"hydra.run.dir={tmp / 'out'}"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_http(url, proc, log)
        yield {"url": url, "log": log, "proc": proc, "playwright": sync_playwright}
    finally:
        _stop(proc)


# -- page helpers -----------------------------------------------------------------------------
JS_IMAGES = """async (sels) => {
  const out = {};
  for (const [k, sel] of Object.entries(sels)) {
    const img = document.querySelector(sel);
    if (!img || !img.complete || img.naturalWidth === 0) { out[k] = null; continue; }
    const buf = await (await fetch(img.src)).arrayBuffer();
    const dig = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
    out[k] = {src: img.src, bytes: buf.byteLength,
              sha: Array.from(dig.slice(0, 8)).map(b => b.toString(16).padStart(2, '0')).join('')};
  }
  return out;
}"""
JS_READY_AND_CHANGED = """([sels, old]) => Object.entries(sels).every(([k, sel]) => {
  const img = document.querySelector(sel);
  return img && img.complete && img.naturalWidth > 0 && (old === null || img.src !== old[k]);
})"""


def week(page) -> int:
    return int(re.search(r"Week (\d+)", page.locator(".hf-week").inner_text()).group(1))


def wait_week(page, condition: str) -> None:
    """Wait until the shown week ``n`` meets a JavaScript condition (e.g. ``n === 4``)."""
    page.wait_for_function(
        "() => { const e = document.querySelector('.hf-week');"
        " const m = e && e.textContent.match(/Week (\\d+)/); if (!m) return false;"
        f" const n = parseInt(m[1]); return {condition}; }}",
        timeout=TIMEOUT_MS,
    )


def images(page, before: dict | None = None) -> dict:
    """Wait until every view's image is decoded (and, given ``before``, has a new source);
    return each one's source, size and SHA-256 prefix."""
    old = None if before is None else {k: v["src"] for k, v in before.items()}
    page.wait_for_function(JS_READY_AND_CHANGED, arg=[IMAGES, old], timeout=TIMEOUT_MS)
    return page.evaluate(JS_IMAGES, IMAGES)


@pytest.mark.slow  # an end-to-end run: in the full suite, not the quick subset
def test_dashboard_in_chromium(server, tmp_path):
    started = time.monotonic()
    console, page_errors, external = [], [], []

    def on_request(url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("blob", "data") and parsed.hostname not in LOCAL_HOSTS:
            external.append(url)

    with server["playwright"]() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: console.append((m.type, m.text)))
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        page.on("request", lambda r: on_request(r.url))
        page.on("websocket", lambda ws: on_request(ws.url))

        # 1. ready: the websocket is up, the page is mounted, all six views are decoded
        page.goto(server["url"], wait_until="domcontentloaded")
        wait_week(page, "n === 0")
        first = images(page)
        assert all(v and v["bytes"] > 1000 for v in first.values()), first
        assert "Housing First vs Shelter-first" in page.locator(".hf-run").inner_text()

        # 2. a lever: the shelter-places slider, by keyboard; the models are rebuilt with it
        thumb = page.locator(".hf-shelter [role=slider]")
        places = int(thumb.get_attribute("aria-valuenow"))
        thumb.focus()
        thumb.press("ArrowRight")
        page.locator(".hf-run", has_text=f"{places + 1} shelter places").wait_for()
        seed = page.locator(".hf-seed input")
        seed.fill("7")
        seed.press("Enter")
        page.locator(".hf-run", has_text="seed 7").wait_for()
        wait_week(page, "n === 0")
        before_step = images(page)

        # 3. Step: four weeks on, and every view drawn again with different bytes
        clicked = time.perf_counter()
        page.locator(".hf-step-btn").click()
        wait_week(page, "n === 4")
        after_step = images(page, before_step)
        step_latency_s = time.perf_counter() - clicked
        for name in VIEWS:
            assert after_step[name]["sha"] != before_step[name]["sha"], f"{name} did not change"
        timing = page.locator(".hf-timing").inner_text()

        # 4. Play, then Pause: several steps, and it stops
        clicked = time.perf_counter()
        page.locator(".hf-play-btn").click()
        page.locator(".hf-play-state", has_text="playing").wait_for()
        wait_week(page, "n >= 16")
        page.locator(".hf-play-btn", has_text="Pause").click()
        page.locator(".hf-play-state", has_text="paused").wait_for()
        played_s = time.perf_counter() - clicked
        paused_at = week(page)
        assert paused_at >= 16
        page.wait_for_timeout(1500)  # the only fixed wait: proves that Pause stopped Play
        assert week(page) - paused_at <= 4, "Play went on after Pause"  # one step in flight
        after_play = images(page, after_step)
        assert after_play["stock"]["sha"] != after_step["stock"]["sha"]

        shot = Path(
            os.environ.get("HFSIM_DASH_SCREENSHOT") or ROOT / "test-artifacts/dashboard.png"
        )
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)

        # 5. Reset: back to week 0 with the same settings
        page.locator(".hf-reset-btn").click()
        wait_week(page, "n === 0")
        assert "seed 7" in page.locator(".hf-run").inner_text()
        browser.close()

    print(
        f"\nscreenshot: {shot}\nstep click -> week and all views updated: "
        f"{step_latency_s * 1000:.0f} ms ({timing}); play: {paused_at - 4} weeks in "
        f"{played_s:.1f} s; test body {time.monotonic() - started:.1f} s"
    )
    errors = [m for t, m in console if t == "error"]
    warnings = [m for t, m in console if t == "warning" and not m.startswith(KNOWN_WARNINGS)]
    assert not page_errors, page_errors
    assert not errors, errors
    assert not warnings, warnings
    assert not external, f"requests to other hosts: {external}"

    # Ctrl-C stops the server cleanly; it never tried to reach another host
    assert _stop(server["proc"]) == 0, server["log"].read_text()
    log = server["log"].read_text()
    assert "NET-GUARD" not in log, log
    assert "Traceback" not in log, log
    assert "hfsim app: stopped" in log, log
