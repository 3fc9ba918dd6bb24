"""The generated web console in a real browser: Debian's Chromium driven by Playwright, against
a rendered finance project served the way `make serve` serves it (offline model, SQLite).

A user signs in with the development issuer, submits the finance preset's first example,
watches it complete, reads the report and the charts; a bad input shows its error next to
its field; another user cannot see the job. Then the deployed sign-in: the authorization-code
flow with PKCE against the generated tests' stand-in provider. Each step leaves a screenshot
in build/screenshots/.

Chromium comes from the system (`make browser` installs it); this test fails, and never
skips, when it is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from .conftest import ROOT, _clean_environment, render

pytestmark = pytest.mark.xdist_group("matrix")  # shares the installed project environment

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "build" / "screenshots"
JOB_SECONDS = 90
# An agent output that would run script if the console trusted it anywhere.
HOSTILE_OUTPUT = {
    "content": "# Hostile\n\n"
    '<img src="x" onerror="window.__xss = 1">\n\n'
    "<script>window.__xss = 2</script>\n\n"
    "[a link](javascript:window.__xss=3)\n\n"
    '<iframe src="javascript:window.__xss = 4"></iframe>\n',
    "chart": {
        "key": 'x" onload="window.__xss = 5',
        "title": '<img src="x" onerror="window.__xss = 6">',
        "type": "pie",
        "data": [{"name": "<script>window.__xss = 7</script>", "value": 1, "color": "red;}"}],
    },
    "note": '<b onmouseover="window.__xss = 8">bold?</b>',
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("console") / "app", preset="finance")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `make browser` (as root on Debian or Ubuntu it runs"
            " apt-get install -y chromium), or set CHROMIUM to a Chromium executable"
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for stale in SCREENSHOTS.glob("*.png"):  # from an earlier run
        stale.unlink()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(project: Path, python: Path, database: Path, **environment: str) -> Iterator[str]:
    """The project's `serve` command on a free port; its base URL."""
    port = _free_port()
    package = next((project / "src").iterdir()).name
    env = {key: value for key, value in _clean_environment().items() if not key.startswith("JWT_")}
    env |= {
        "PYTHONPATH": str(project / "src"),
        "MODEL_MODE": "offline",
        "JOB_STORE": "sqlite",
        "SQLITE_PATH": str(database),
        **environment,
    }
    log = database.with_suffix(".log")
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(python), "-m", package, "serve", "--port", str(port)],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"`serve` did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def sign_in(page: Page, url: str, user: str) -> None:
    page.goto(url)
    page.get_by_label("User name").fill(user)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="New job")).to_be_visible()
    expect(page.locator("#who-name")).to_have_text(f"Signed in as {user}")


# Every form control has a label; every piece of visible text meets WCAG AA contrast (4.5:1,
# 3:1 from 18.66px bold or 24px) against the background it is drawn on.
ACCESSIBILITY_PROBLEMS = """() => {
    const problems = [];
    for (const control of document.querySelectorAll("input, select, textarea")) {
        if (control.offsetParent && !control.labels.length) {
            problems.push(`no label: ${control.name}`);
        }
    }
    const channel = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const rgba = (text) => text.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) =>
        0.2126 * channel(r / 255) + 0.7152 * channel(g / 255) + 0.0722 * channel(b / 255);
    const background = (element) => {
        for (let node = element; node; node = node.parentElement) {
            const colour = rgba(getComputedStyle(node).backgroundColor);
            if (colour.length < 4 || colour[3] > 0) return colour;
        }
        return [255, 255, 255];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        const element = text.parentElement;
        if (!text.textContent.trim() || !element.offsetParent) continue;
        const style = getComputedStyle(element);
        const [light, dark] = [luminance(rgba(style.color)), luminance(background(element))]
            .sort((a, b) => b - a);
        const ratio = (light + 0.05) / (dark + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) {
            problems.push(`contrast ${ratio.toFixed(2)}: ${text.textContent.trim().slice(0, 40)}`);
        }
    }
    return problems;
}"""


def assert_accessible(page: Page) -> None:
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == []


def api_job(page: Page, job_id: str) -> dict:
    """The job as the API answers the signed-in user (what the page must show)."""
    return page.evaluate(
        """async (jobId) => {
            const token = sessionStorage.getItem("console.token");
            const headers = {Authorization: `Bearer ${token}`};
            return (await fetch(`/jobs/${jobId}`, {headers})).json();
        }""",
        job_id,
    )


def test_users_run_the_finance_example_and_read_its_results(
    project, environments, browser, tmp_path
):
    example = json.loads(next(iter(sorted((project / "examples").glob("*.json")))).read_text())
    with serving(project, environments("bedrock"), tmp_path / "jobs.db") as url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))

        # Sign in with the development issuer; the form holds the first example.
        page.goto(url)
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert_accessible(page)
        shot(page, "01-sign-in")
        sign_in(page, url, "alice")
        years = page.get_by_label("Years Until Retirement")
        expect(years).to_have_value(str(example["years_until_retirement"]))
        first_symbol = example["accounts"][0]["positions"][0]["symbol"]
        expect(page.get_by_label("Symbol").first).to_have_value(first_symbol)
        assert_accessible(page)
        shot(page, "02-job-form")

        # Submit it and watch it complete.
        page.get_by_role("button", name="Submit job").click()
        expect(page.locator("#job-status")).to_have_text("completed", timeout=JOB_SECONDS * 1000)
        job_id = page.locator("#job-id").inner_text()
        # `serve` streams the job's changes: the page followed them without polling.
        assert f"{url}/jobs/{job_id}/events" in requested
        assert f"{url}/jobs/{job_id}" not in requested
        job = api_job(page, job_id)
        assert job["status"] == "completed"
        with sqlite3.connect(tmp_path / "jobs.db") as database:
            query = "SELECT input FROM jobs WHERE id = ?"
            (stored,) = database.execute(query, (job_id,)).fetchone()
        assert json.loads(stored) == example  # the form sent the example as it was
        agents = [agent for step in job["steps"] for agent in step["agents"]]
        for agent in agents:
            expect(page.locator(".plan .chip-ok", has_text=agent)).to_have_count(1)
            row = page.locator("#agents tbody tr", has=page.get_by_role("rowheader", name=agent))
            expect(row).to_contain_text("ok")
            result = job["results"][agent]
            expect(row.locator("td").nth(2)).to_have_text(str(result["attempts"]))
            expect(row.locator("td").nth(3)).to_have_text(str(result["tokens"]))
        assert_accessible(page)
        shot(page, "03-job-completed")

        # The report is formatted Markdown, the charts are drawn, one per chart of the output.
        report = page.locator("section[aria-label='reporter result'] .markdown")
        expect(report.get_by_role("heading", name="Portfolio report")).to_be_visible()
        expect(report.locator("table").first).to_be_visible()
        assert "# Portfolio report" not in report.inner_text()
        charts = job["results"]["charter"]["output"]["charts"]
        figures = page.locator("figure.chart")
        expect(figures).to_have_count(len(charts))
        for chart in charts:
            figure = page.locator(f"figure[data-chart='{chart['key']}']")
            expect(figure.locator("figcaption")).to_have_text(chart["title"])
            drawn = [item for item in chart["data"] if item["value"] > 0]
            expect(figure.locator("svg .mark")).to_have_count(len(drawn))
            expect(figure.locator(".legend li")).to_have_count(len(chart["data"]))
        figures.first.scroll_into_view_if_needed()
        shot(page, "04-report-and-charts")

        # Model output is hostile text: nothing in it runs, in Markdown, a chart or a tree.
        with sqlite3.connect(tmp_path / "jobs.db") as database:
            database.execute(
                "UPDATE agent_results SET output = ? WHERE job_id = ? AND agent = 'reporter'",
                (json.dumps(HOSTILE_OUTPUT), job_id),
            )
        page.reload()
        hostile = page.locator("section[aria-label='reporter result']")
        expect(hostile.get_by_role("heading", name="Hostile")).to_be_visible()
        expect(hostile.locator("figcaption")).to_have_text(HOSTILE_OUTPUT["chart"]["title"])
        expect(hostile.get_by_text(HOSTILE_OUTPUT["note"])).to_be_visible()
        page.wait_for_timeout(500)
        assert page.evaluate("window.__xss") is None
        dangerous = "script, iframe, [onerror], [onload], [onmouseover], a[href^='javascript']"
        expect(hostile.locator(dangerous)).to_have_count(0)
        shot(page, "05-hostile-output")

        # A bad input: the API's problem shows next to the fields it names.
        page.get_by_role("link", name="New job").click()
        years.fill("-5")
        quantity = page.get_by_label("Quantity").first
        quantity.fill("many")
        page.get_by_role("button", name="Submit job").click()
        for field in (years, quantity):
            expect(field).to_have_attribute("aria-invalid", "true")
            error = page.locator(f"#{field.get_attribute('id')}-error")
            expect(error).to_be_visible()
            assert error.inner_text().strip()
        expect(page.locator("#form-errors")).to_contain_text("years_until_retirement")
        expect(page.locator("#form-errors")).to_contain_text("accounts[0].positions[0].quantity")
        assert_accessible(page)
        shot(page, "06-field-errors")

        # The job list, newest first, holds the job (the bad input made none).
        page.get_by_role("link", name="Your jobs").click()
        rows = page.locator("#jobs-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(job_id)
        expect(rows.first).to_contain_text("completed")
        shot(page, "07-job-list")

        # Another user sees no job of alice's, not even by its address.
        # Bob signs in with the keyboard alone: the sign-in takes the focus, Enter submits.
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("User name")).to_be_focused()
        page.keyboard.type("bob")
        page.keyboard.press("Enter")
        expect(page.locator("#who-name")).to_have_text("Signed in as bob")
        page.get_by_role("link", name="Your jobs").click()
        expect(page.locator("#jobs-empty")).to_be_visible()
        page.goto(f"{url}/#/jobs/{job_id}")
        expect(page.locator("#notice")).to_contain_text(f"no job {job_id}")
        expect(page.locator("#results")).to_be_empty()
        shot(page, "08-other-user")

        # Bob's eleven jobs: ten on the first page, newest first, the oldest on the next.
        bobs = page.evaluate(
            """async (input) => {
                const token = sessionStorage.getItem("console.token");
                const headers = {
                    Authorization: `Bearer ${token}`, "Content-Type": "application/json",
                };
                const ids = [];
                for (let n = 0; n < 11; n++) {
                    const response = await fetch("/jobs", {method: "POST", headers, body: input});
                    ids.push((await response.json()).job_id);
                }
                return ids;
            }""",
            json.dumps(example),
        )
        page.get_by_role("link", name="Your jobs").click()
        links = page.locator("#jobs-table tbody tr td:first-child a")
        expect(links).to_have_text(bobs[:0:-1])
        page.get_by_role("button", name="Older jobs").click()
        expect(links).to_have_text([bobs[0]])
        expect(page.get_by_role("button", name="Older jobs")).to_be_hidden()
        shot(page, "09-job-list-second-page")
        page.get_by_role("button", name="Newer jobs").click()
        expect(links).to_have_text(bobs[:0:-1])

        # On a phone-sized screen, where no stream gets through (as behind API Gateway), a job
        # is followed by polling; the form and the job view fit the width.
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.route("**/events", lambda route: route.abort())
        polled: list[str] = []
        phone.on("request", lambda request: polled.append(request.url))
        sign_in(phone, url, "alice")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone.get_by_role("button", name="Submit job").click()
        expect(phone.locator("#job-status")).to_have_text("completed", timeout=JOB_SECONDS * 1000)
        phone_job = phone.locator("#job-id").inner_text()
        assert polled.count(f"{url}/jobs/{phone_job}") >= 1
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(phone, "10-phone-job-view")
        assert errors == []


def _stand_in_issuer(project: Path):
    """The generated tests' identity provider, which also stands in for a provider's sign-in."""
    spec = importlib.util.spec_from_file_location(
        "issuer", project / "tests" / "support" / "issuer.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_deployed_sign_in_uses_the_authorization_code_flow_with_pkce(
    project, environments, browser, tmp_path
):
    issuer_module = _stand_in_issuer(project)
    issuer = issuer_module.Issuer(signs_in="carol")
    settings = {
        "JWT_ISSUER": issuer.url,
        "JWT_AUDIENCE": issuer_module.AUDIENCE,
        "JWT_CLIENT_ID": issuer_module.CLIENT_ID,
    }
    try:
        with serving(project, environments("bedrock"), tmp_path / "jobs.db", **settings) as url:
            page = browser.new_page()
            page.goto(url)
            expect(page.locator("#dev-sign-in")).to_be_hidden()
            page.get_by_role("button", name="Sign in").click()

            expect(page.get_by_role("heading", name="New job")).to_be_visible()
            expect(page.locator("#who-name")).to_have_text("Signed in as carol")
            assert "code=" not in page.url and "state=" not in page.url
            assert issuer.exchanges == ["issued"]
            authorize = next(path for path in issuer.requests if path.startswith("/authorize"))
            assert "code_challenge_method=S256" in authorize
            page.get_by_role("link", name="Your jobs").click()
            expect(page.locator("#jobs-empty")).to_be_visible()
            shot(page, "11-pkce-signed-in")
    finally:
        issuer.close()
