"""The generated web console in a real browser: Debian's Chromium driven by Playwright, against
a rendered finance project served the way `make serve` serves it (offline model, SQLite).

A user signs in with the development issuer, submits the finance preset's first example,
watches it complete, reads the report and the charts; hostile output stays inert text; a bad
input shows its error next to its field; another user cannot see the job. A careless user, a
failing API and a gateway's answers each end in one message on the page. Then the deployed
sign-in: the authorization-code flow with PKCE against the generated tests' stand-in provider.
Each step leaves a screenshot in build/screenshots/.

Chromium comes from the system (`make browser` installs it); this test fails, and never
skips, when it is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
# A word longer than any screen is wide.
LONG_WORD = "w" * 1000
# An agent output that would run script, restyle or cover the page, fetch from elsewhere, clash
# with the page's ids or overflow its width if the console trusted it anywhere.
HOSTILE_OUTPUT = {
    "content": "# Hostile\n\n"
    '<img src="x" onerror="window.__xss = 1">\n\n'
    "<script>window.__xss = 2</script>\n\n"
    "[a link](javascript:window.__xss=3) [a data link](data:text/html,hello)\n\n"
    '<iframe src="javascript:window.__xss = 4"></iframe>\n\n'
    '<svg onload="window.__xss = 9"><script>window.__xss = 10</script></svg>\n\n'
    "<style>body { display: none }</style>\n\n"
    '<p style="position: fixed; inset: 0; background: red">cover</p>\n\n'
    '<form action="/jobs" method="post"><input name="password"><button>Go</button></form>\n\n'
    '<h2 id="notice">clobber</h2>\n\n'
    "![tracker](https://tracker.invalid/pixel.png)"
    " ![dot](data:image/gif;base64,R0lGODlhAQABAAAAACw=)\n\n"
    "- [x] done\n- [ ] to do\n\n"
    "&lt;kept&gt; &amp; \u202eevil\u202c zero\u200bwidth\n\n"
    f"{LONG_WORD}\n\n```\n{LONG_WORD}\n```\n\n" + "A long report line. " * 1400,
    "chart": {
        "key": 'x" onload="window.__xss = 5',
        "title": '<img src="x" onerror="window.__xss = 6">',
        "type": "pie",
        "data": [
            {"name": "<script>window.__xss = 7</script>", "value": 1, "color": "red;}"},
            {"name": "\u202eright-to-left", "value": 12},
        ],
    },
    "note": '<b onmouseover="window.__xss = 8">bold?</b>',
    "long": LONG_WORD,
    "deep": json.loads('{"level": ' * 30 + '"bottom"' + "}" * 30),
}
# As large and as deep as a worker stores an output (runtime/worker/output.py): 32 KiB, 32 deep.
assert 30 * 1024 < len(json.dumps(HOSTILE_OUTPUT, separators=(",", ":")).encode()) <= 32 * 1024
HOSTILE_ERROR = '<img src="x" onerror="window.__xss = 11"> the agent failed'
# A legend entry "<name>: 12" whose value reads left to right: "1" drawn left of "2".
VALUE_READS_LEFT_TO_RIGHT = """(item) => {
    const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        const at = text.textContent.indexOf(": 12");
        if (at < 0) continue;
        const left = (start) => {
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + 1);
            return range.getBoundingClientRect().left;
        };
        return left(at + 2) < left(at + 3);
    }
    return null;
}"""


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


def watch(page: Page) -> list[str]:
    """What goes wrong on ``page``: uncaught errors, console errors and warnings (the page's
    CSP reports what it blocks there) and dialogs; a refused HTTP answer is logged by the
    browser itself ("Failed to load resource") and is not the page's fault."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning")
            and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    return problems


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
        errors = watch(page)
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

        # Model output and errors are hostile text: nothing in them runs, restyles or covers the
        # page, fetches from elsewhere or clashes with its ids; they read as text, wrapped.
        with sqlite3.connect(tmp_path / "jobs.db") as database:
            database.execute(
                "UPDATE agent_results SET output = ?, error = ?"
                " WHERE job_id = ? AND agent = 'reporter'",
                (json.dumps(HOSTILE_OUTPUT), HOSTILE_ERROR, job_id),
            )
            database.execute(
                "UPDATE jobs SET status = 'failed', error = ? WHERE id = ?", (HOSTILE_ERROR, job_id)
            )
        page.reload()
        expect(page.locator("#job-status")).to_have_text("failed")
        expect(page.locator("#job-error")).to_have_text(HOSTILE_ERROR)
        hostile = page.locator("section[aria-label='reporter result']")
        expect(hostile.get_by_role("heading", name="Hostile")).to_be_visible()
        expect(hostile.locator(".field-error")).to_have_text(HOSTILE_ERROR)
        expect(hostile.locator("figcaption")).to_have_text(HOSTILE_OUTPUT["chart"]["title"])
        expect(hostile.get_by_text(HOSTILE_OUTPUT["note"])).to_be_visible()
        report = hostile.locator(".markdown").first
        for typed in ("<script>window.__xss = 2</script>", "<style>body { display: none }</style>"):
            expect(report).to_contain_text(typed)  # the HTML an agent wrote shows as text
        expect(report).to_contain_text("<kept> & \u202eevil\u202c zero\u200bwidth")
        expect(report).to_contain_text("[x] done")
        expect(report).to_contain_text("[tracker]")
        page.wait_for_timeout(500)
        assert page.evaluate("window.__xss") is None
        dangerous = (
            "script, iframe, style, svg:not(.chart-drawing), svg:not(.chart-drawing) *, form,"
            " input, button, [style]:not(.swatch), [onerror], [onload], [onmouseover],"
            " a[href^='javascript'], a[href^='data'], img:not([src^='data:image/'])"
        )
        expect(hostile.locator(dangerous)).to_have_count(0)
        expect(hostile.locator("img")).to_have_count(1)
        expect(page.locator("[id='notice']")).to_have_count(1)
        assert not [address for address in requested if "tracker.invalid" in address]
        legend = hostile.locator(".legend li").last
        assert legend.evaluate(VALUE_READS_LEFT_TO_RIGHT) is True
        expect(hostile.get_by_text("bottom", exact=True)).to_be_attached()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(page)
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

        # The job list, newest first, holds the job (the bad input made none), now failed.
        page.get_by_role("link", name="Your jobs").click()
        rows = page.locator("#jobs-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(job_id)
        expect(rows.first).to_contain_text("failed")
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
        page.get_by_role("button", name="Older jobs").dblclick()  # turns one page, not two
        expect(links).to_have_text([bobs[0]])
        expect(page.get_by_role("button", name="Older jobs")).to_be_hidden()
        shot(page, "09-job-list-second-page")
        page.get_by_role("button", name="Newer jobs").click()
        expect(links).to_have_text(bobs[:0:-1])

        # On a phone-sized screen, where no stream gets through (as behind API Gateway), a job
        # is followed by polling; the form and the job view fit the width.
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        watch_phone = watch(phone)
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
        assert watch_phone == []


# Answers the API, or a gateway in front of it, may give instead of a job; what the page says.
FAILED_ANSWERS = [
    ({"status": 403, "json": {"message": "Forbidden"}}, "the API answered 403: Forbidden"),
    (
        {"status": 413, "json": {"message": "Request Entity Too Large"}},
        "the API answered 413: Request Entity Too Large",
    ),
    ({"status": 500, "body": "<h1>Oops</h1>", "content_type": "text/html"}, "the API answered 500"),
    ({"status": 502, "body": ""}, "the API answered 502"),
    (
        {"status": 200, "body": "hello", "content_type": "text/plain"},
        "the API answered 200 without a job id",
    ),
]


# Markdown an agent might write: HTML elements with the attributes and URLs that matter, among
# Markdown's own links, images, code and entities.
html_attribute = st.builds(
    lambda name, value: f' {name}="{value}"',
    st.sampled_from(["src", "href", "onerror", "onload", "style", "id", "name", "xlink:href"]),
    st.sampled_from(
        ["x", "javascript:window.__xss=1", "window.__xss=1", "data:text/html,x", "notice"]
        + ["color: red", "https://tracker.invalid/p.png"]
    ),
)
html_element = st.builds(
    lambda tag, attributes, body: f"<{tag}{''.join(attributes)}>{body}</{tag}>",
    st.sampled_from(["img", "svg", "script", "style", "iframe", "form", "input", "a", "p", "math"]),
    st.lists(html_attribute, max_size=3),
    st.sampled_from(["", "text", "window.__xss=1"]),
)
markdown_piece = st.sampled_from(
    ["\n\n", "# ", "`", "```\n", "- [x] ", "&lt;", "&#x3C;", "\u202e", "\u200b", " ", "w" * 80]
    + ["[l](javascript:window.__xss=1)", "![i](https://tracker.invalid/p.png)", "![d](data:,x)"]
)
markup = st.lists(st.one_of(html_element, markdown_piece), max_size=12).map("".join)
# What in the results could run, restyle, fetch or take input (an empty list when nothing).
NOT_INERT = r"""(results) => {
    const problems = [];
    const refused = ["script", "style", "iframe", "object", "embed", "form", "input", "button",
        "textarea", "select", "link", "meta", "base", "math"];
    for (const node of results.querySelectorAll("*")) {
        const tag = node.localName;
        if (refused.includes(tag)) problems.push(tag);
        if (tag === "svg" && !node.classList.contains("chart-drawing")) problems.push(tag);
        const source = node.getAttribute("src") || "";
        if (tag === "img" && !source.startsWith("data:image/")) problems.push(`img ${source}`);
        for (const {name, value} of node.attributes) {
            if (/^on|^style$/i.test(name) && !node.classList.contains("swatch")) {
                problems.push(`${tag} ${name}`);
            }
            if (/^(href|src)$/.test(name) && /^\s*(javascript|data:text)/i.test(value)) {
                problems.push(`${tag} ${name}=${value}`);
            }
        }
    }
    return problems;
}"""


def answering(answer: dict | None):
    """A route handler giving ``answer`` (Route.fulfill's arguments), or, with None, none."""
    return lambda route: route.fulfill(**answer) if answer else route.abort()


def _with_input(change):
    """A route handler answering the OpenAPI document with its job input's schema changed."""

    def handle(route) -> None:
        document = route.fetch().json()
        content = document["paths"]["/jobs"]["post"]["requestBody"]["content"]
        change(content["application/json"]["schema"])
        route.fulfill(json=document)

    return handle


# A free-form `notes` object in the job input (a JSON field), described by hostile text
# (agents.yaml's descriptions reach the form), and a list of `samples` of any JSON.
_with_notes = _with_input(
    lambda schema: schema["properties"].update(
        notes={"type": "object", "title": "Notes", "description": HOSTILE_ERROR},
        samples={"type": "array", "title": "Samples", "items": {}},
    )
)
# The job input as any JSON object (agents.yaml without `inputs`): one JSON field.
_free_form = _with_input(
    lambda schema: [schema.pop(key) for key in ("properties", "required", "additionalProperties")]
)


def test_careless_users_and_failing_answers_each_end_in_one_clear_message(
    project, environments, browser, tmp_path
):
    with serving(project, environments("bedrock"), tmp_path / "jobs.db") as url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems = watch(page)
        posts: list[str] = []
        page.on(
            "request",
            lambda request: posts.append(request.url) if request.method == "POST" else None,
        )
        sign_in(page, url, "dave")
        submit = page.get_by_role("button", name="Submit job")
        summary = page.locator("#form-errors")
        notice = page.locator("#notice")
        status = page.locator("#job-status")

        # An empty form: each required field says so, and the first takes the focus.
        for control in page.locator("#fields input[type=text]").all():
            control.fill("")
        submit.click()
        years = page.get_by_label("Years Until Retirement")
        expect(years).to_be_focused()
        expect(years).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{years.get_attribute('id')}-error")).to_have_text("Field required")
        expect(summary).to_contain_text("years_until_retirement: Field required")
        expect(summary).to_contain_text("target_retirement_income: Field required")
        # The summary's links lead to their fields by keyboard.
        summary.get_by_role("link", name=re.compile("^target_retirement_income")).press("Enter")
        expect(page.get_by_label("Target Retirement Income")).to_be_focused()
        assert_accessible(page)
        shot(page, "12-empty-form")

        # An input over the API's limit: the group it names says so, focus on its first field.
        page.get_by_role("button", name="Reset to the example").click()
        account_name = page.get_by_label("Account Name").first
        account_name.fill("x" * 40_000)
        submit.click()
        expect(summary.locator("li")).to_have_text([re.compile(r"^accounts: .* over the 32 KiB")])
        accounts = page.locator("fieldset", has=page.get_by_text("Accounts", exact=True)).first
        expect(accounts).to_have_attribute("aria-invalid", "true")
        expect(account_name).to_be_focused()

        # Answers that are not a job, and no answer at all: one message in the summary each,
        # which takes the focus.
        page.get_by_role("button", name="Reset to the example").click()
        for answer, message in [*FAILED_ANSWERS, (None, f"could not reach {url}")]:
            page.route(
                f"{url}/jobs",
                answering(answer),
            )
            submit.click()
            expect(summary.locator("li")).to_have_text([message])
            expect(summary).to_be_focused()
            expect(submit).to_be_enabled()
            page.unroute(f"{url}/jobs")
        expect(summary).to_contain_text("The job could not be sent:")
        shot(page, "13-api-unreachable")

        # An expired sign-in: back to the sign-in with a message; the form is kept.
        page.route(f"{url}/jobs", lambda route: route.fulfill(status=401, json={"message": "no"}))
        submit.click()
        expect(notice).to_have_text("Your sign-in was refused or has expired: sign in again.")
        page.unroute(f"{url}/jobs")
        sign_in(page, url, "dave")

        # A double click sends one job; Enter in a field sends the form.
        posts.clear()
        submit.dblclick()
        expect(status).to_have_text("completed", timeout=JOB_SECONDS * 1000)
        job_id = page.locator("#job-id").inner_text()
        expect(page.locator("nav [aria-current]")).to_have_count(0)  # a job is neither page
        page.get_by_role("link", name="New job").click()
        expect(page.get_by_role("link", name="New job")).to_have_attribute("aria-current", "page")
        years.press("Enter")
        expect(page.locator("#job-id")).not_to_have_text(job_id)
        expect(status).to_have_text("completed", timeout=JOB_SECONDS * 1000)
        assert posts == [f"{url}/jobs"] * 2

        # The job's stream breaks: the page polls instead, with nothing to report.
        job_answers = re.compile(rf"/jobs/{job_id}(/events)?$")
        page.route(
            f"{url}/jobs/{job_id}/events",
            lambda route: route.fulfill(body='data: {"job_id": "x", "sta', status=200),
        )
        page.goto(f"{url}/#/jobs/{job_id}")
        expect(status).to_have_text("completed")
        expect(notice).to_be_hidden()
        page.unroute(f"{url}/jobs/{job_id}/events")

        # While a job runs, the page polls it: what the reader unfolded in its results stays so.
        def running(route) -> None:
            answer = route.fetch()
            route.fulfill(response=answer, json={**answer.json(), "status": "running"})

        page.route(f"{url}/jobs/{job_id}/events", lambda route: route.abort())
        page.route(f"{url}/jobs/{job_id}", running)
        page.goto(f"{url}/#/new")
        page.goto(f"{url}/#/jobs/{job_id}")
        expect(status).to_have_text("running")
        unfolded = page.locator("#results details").first
        unfolded.locator("> summary").click()
        for _ in range(2):
            with page.expect_request(f"{url}/jobs/{job_id}"):
                pass
        expect(unfolded).to_have_attribute("open", "")
        page.goto(f"{url}/#/new")
        page.unroute_all(behavior="wait")  # lets a poll on its way finish

        # Generated Markdown of HTML pieces: whatever an agent writes, the report stays inert.
        view = api_job(page, job_id)
        shown: dict[str, dict] = {}
        page.route(f"{url}/jobs/{job_id}/events", lambda route: route.abort())
        page.route(f"{url}/jobs/{job_id}", lambda route: route.fulfill(json=shown["view"]))

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(text=markup)
        def stays_inert(text: str) -> None:
            reporter = {**view["results"]["reporter"], "output": {"content": f"# Made\n\n{text}\n"}}
            shown["view"] = {**view, "results": {**view["results"], "reporter": reporter}}
            page.goto(f"{url}/#/new")
            page.goto(f"{url}/#/jobs/{job_id}")
            expect(page.get_by_role("heading", name="Made", exact=True)).to_be_visible()
            assert page.locator("#results").evaluate(NOT_INERT) == []
            assert page.evaluate("window.__xss") is None
            assert problems == []  # nor did the page's CSP refuse anything

        stays_inert()
        page.goto(f"{url}/#/new")
        page.unroute_all(behavior="wait")

        # Leaving a running job and coming back while its poll is on its way: the earlier
        # visit's poll stops at its answer; only the current one goes on.
        running_view = {**view, "status": "running"}
        held: list = []
        polls: list[str] = []
        job_address = f"{url}/jobs/{job_id}"
        page.on(
            "request",
            lambda request: polls.append(request.url) if request.url == job_address else None,
        )

        def hold_two(route) -> None:
            if len(held) < 2:
                held.append(route)
            else:
                route.fulfill(json=running_view)

        page.route(f"{job_address}/events", lambda route: route.abort())
        page.route(job_address, hold_two)
        for visit in (1, 2):
            page.goto(f"{url}/#/new")
            page.goto(f"{url}/#/jobs/{job_id}")
            for _ in range(100):  # until this visit's poll is on its way
                if len(held) == visit:
                    break
                page.wait_for_timeout(50)
        assert len(held) == 2
        polls.clear()
        held[0].fulfill(json=running_view)
        page.wait_for_timeout(1500)
        assert polls == []  # the earlier visit asked nothing more
        with page.expect_request(job_address):
            held[1].fulfill(json=running_view)
        expect(status).to_have_text("running")
        page.goto(f"{url}/#/new")
        page.unroute_all(behavior="wait")

        # The job cannot be read: a refusal stops with its message, a 5xx or a lost connection
        # is retried (every 5 s), and the job shows once the API answers again.
        page.route(job_answers, lambda route: route.fulfill(status=403, json={"message": "No"}))
        page.goto(f"{url}/#/new")
        page.goto(f"{url}/#/jobs/{job_id}")
        expect(notice).to_have_text("the API answered 403: No")
        expect(status).to_have_text("unavailable")
        page.unroute(job_answers)
        for answer, message in [
            ({"status": 503, "body": ""}, "the API answered 503"),
            ({"status": 429, "json": {"message": "Slow down"}}, "the API answered 429: Slow down"),
            (None, f"could not reach {url}"),
        ]:
            page.route(job_answers, answering(answer))
            page.goto(f"{url}/#/new")
            page.goto(f"{url}/#/jobs/{job_id}")
            expect(notice).to_have_text(f"The job could not be read ({message}); trying again.")
            page.unroute(job_answers)
        expect(status).to_have_text("completed", timeout=10_000)
        expect(notice).to_be_hidden()

        # Addresses that name no job of this user's.
        for address, message in [
            ("no-such-job", "no job no-such-job"),
            ("%E0%A4%A", "no such job: not a job id"),
            (".", "This address names no job: pick one in Your jobs."),
            ("", "This address names no job: pick one in Your jobs."),
        ]:
            page.goto(f"{url}/#/jobs/{address}")
            expect(notice).to_have_text(message)
            expect(status).to_have_text("not found")

        # The job list cannot be read: its message, and no stale rows.
        page.route(re.compile(r"/jobs\?"), lambda route: route.fulfill(status=500, body=""))
        page.get_by_role("link", name="Your jobs").click()
        expect(notice).to_have_text("Your jobs could not be listed: the API answered 500")
        expect(page.locator("#jobs-table")).to_be_hidden()
        expect(page.locator("#jobs-empty")).to_be_hidden()
        shot(page, "14-job-list-unavailable")
        assert problems == []

        # A console that cannot load what it needs says which, and shows nothing else.
        fresh = browser.new_page()
        fresh_problems = watch(fresh)
        fresh.route(f"{url}/openapi.json", lambda route: route.fulfill(status=500, body="<h1>"))
        fresh.goto(url)
        expect(fresh.locator("#notice")).to_have_text(
            "The console could not start: /openapi.json could not be loaded (the API answered"
            " 500). Reload the page to try again."
        )
        expect(fresh.locator("main > section:not([hidden])")).to_have_count(0)
        fresh.unroute(f"{url}/openapi.json")

        # The sign-in cannot reach its issuer: the user name field says so.
        fresh.route(f"{url}/openapi.json", _with_notes)
        fresh.route(f"{url}/dev-issuer/token", lambda route: route.abort())
        fresh.goto(url)
        fresh.get_by_label("User name").fill("erin")
        fresh.get_by_label("User name").press("Enter")
        expect(fresh.locator("#user-name-error")).to_have_text(f"could not reach {url}")
        fresh.unroute(f"{url}/dev-issuer/token")

        # Text that is not JSON in a JSON field: named next to it, and nothing is sent.
        fresh_posts: list[dict] = []
        sign_in(fresh, url, "erin")
        fresh.on(
            "request",
            lambda request: (
                fresh_posts.append(request.post_data_json) if request.method == "POST" else None
            ),
        )
        notes = fresh.get_by_label("Notes (JSON)")
        expect(fresh.locator(f"#{notes.get_attribute('id')}-hint")).to_have_text(HOSTILE_ERROR)
        notes.fill("{oops")
        fresh.get_by_role("button", name="Submit job").click()
        expect(notes).to_have_attribute("aria-invalid", "true")
        expect(fresh.locator(f"#{notes.get_attribute('id')}-error")).to_contain_text(
            "not valid JSON"
        )
        assert fresh_posts == []
        assert_accessible(fresh)
        shot(fresh, "15-invalid-json")

        # A list item that is not JSON yet: adding or removing an item names it and keeps it.
        notes.fill("")
        add_sample = fresh.get_by_role("button", name="Add to Samples")
        add_sample.click()
        add_sample.click()
        first_sample = fresh.get_by_label("Samples 1 (JSON)")
        first_sample.fill("{oops")
        for change in (add_sample, fresh.get_by_role("button", name="Remove Samples 2")):
            change.click()
            expect(fresh.locator("#form-errors")).to_contain_text("The list was not changed:")
            expect(fresh.locator("#form-errors li")).to_contain_text(["samples[0]: not valid JSON"])
            expect(fresh.locator("textarea[name^='input.samples']")).to_have_count(2)
            expect(first_sample).to_have_value("{oops")

        # Blank items are sent as null for the API to name, never dropped.
        first_sample.fill("")
        fresh.get_by_role("button", name="Submit job").click()
        expect(fresh.locator("#form-errors")).to_contain_text("samples")
        assert [post["samples"] for post in fresh_posts] == [[None, None]]
        fresh_posts.clear()

        # A whole input of JSON left empty: named, and nothing is sent.
        fresh.unroute(f"{url}/openapi.json")
        fresh.route(f"{url}/openapi.json", _free_form)
        fresh.reload()
        whole = fresh.get_by_label("Job input (JSON)")
        whole.fill("")
        fresh.get_by_role("button", name="Submit job").click()
        expect(fresh.locator(f"#{whole.get_attribute('id')}-error")).to_have_text(
            "empty: write the job's input as a JSON object, e.g. {}"
        )
        expect(whole).to_be_focused()
        assert fresh_posts == []
        assert fresh_problems == []


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
