"""VS Code: the packaged extension (.vsix) in code-server 4.100.3 (VS Code 1.100.3), driven
through headless Chromium with Playwright, as a person would: open the Markdown file, see the
squiggle, the Problems entry, the hover, the status bar and the report. Screenshots go to
build/screenshots/ (SENTIMENT_LS_SCREENSHOTS overrides)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.editors import vscode
from tests.editors.common import (
    NEGATIVE,
    POSITIVE,
    README,
    ROOT,
    TIMEOUT,
    Sample,
    assert_hover_layout,
    screenshots_dir,
    unavailable,
)

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Locator, Page

MS = int(TIMEOUT * 1000)


@dataclass
class Workbench:
    page: Page
    settings_file: Path


@pytest.fixture
def open_workbench(
    request: pytest.FixtureRequest,
    sample: Sample,
    server_command: list[str],
    server_env: dict[str, str],
    tmp_path: Path,
) -> Iterator[Callable[[dict[str, object]], Workbench]]:
    """Opens code-server on the sample's folder, with the extension and these user settings
    (on top of the server command), in headless Chromium."""
    reason = vscode.missing()
    if reason:
        unavailable(reason)
    from playwright.sync_api import sync_playwright

    profile = tmp_path / "code-server"
    print(vscode.install_extension(profile, server_env))
    base: dict[str, object] = {"sentimentLs.server.command": server_command[0]}
    if len(server_command) > 1:
        base["sentimentLs.server.args"] = server_command[1:]
    with ExitStack() as stack:
        opened: list[tuple[Page, vscode.CodeServer]] = []

        def open_with(settings: dict[str, object]) -> Workbench:
            server = stack.enter_context(
                vscode.code_server(profile, sample.path.parent, {**base, **settings}, server_env)
            )
            playwright = stack.enter_context(sync_playwright())
            browser = playwright.chromium.launch(
                executable_path=str(vscode.CHROMIUM),
                headless=True,
                args=["--no-sandbox", "--disable-gpu"],
            )
            stack.callback(browser.close)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(server.url)
            page.wait_for_selector(".monaco-workbench", timeout=MS)
            opened.append((page, server))
            return Workbench(page, profile / "data" / "User" / "settings.json")

        yield open_with
        report = getattr(request.node, "report_call", None)
        if report is None or report.failed:
            for page, server in opened:
                page.screenshot(path=screenshots_dir() / f"vscode-failure-{request.node.name}.png")
                print(server.log.read_text()[-5000:])


def shot(page: Page, name: str) -> None:
    page.screenshot(path=screenshots_dir() / f"vscode-{name}.png")


def line(page: Page, fragment: str) -> Locator:
    return page.locator(".monaco-editor .view-line", has_text=fragment).first


ONE_FLAGGED = re.compile(r"\b1 (negative|flagged)\b")


def text_matching(locator: Locator, pattern: re.Pattern[str]) -> str:
    """The locator's text once it matches `pattern`, or as it is after TIMEOUT. The status
    item follows the diagnostics through the extension host, a moment after the squiggles:
    after a restart it may still show the new server's first answer for a frame."""
    deadline = time.monotonic() + TIMEOUT
    text = locator.inner_text()
    while not pattern.search(text) and time.monotonic() < deadline:
        time.sleep(0.1)
        text = locator.inner_text()
    return text


def overlaps_vertically(a: FloatRect, b: FloatRect) -> bool:
    return a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def open_file(page: Page, name: str) -> None:
    page.keyboard.press("Control+P")
    page.wait_for_selector(".quick-input-widget input")
    page.keyboard.type(name)
    page.wait_for_selector(f".quick-input-list .monaco-list-row:has-text('{name}')")
    page.keyboard.press("Enter")
    page.wait_for_selector(f".tab.active:has-text('{name}')")


def run_command(page: Page, title: str) -> None:
    page.keyboard.press("F1")
    page.wait_for_selector(".quick-input-widget input")
    page.keyboard.type(title)
    page.wait_for_selector(f".quick-input-list .monaco-list-row:has-text('{title}')")
    page.keyboard.press("Enter")


def test_vscode_squiggle_problems_hover_status_report_and_settings(
    open_workbench: Callable[[dict[str, object]], Workbench], sample: Sample
) -> None:
    for old in screenshots_dir().glob("vscode-*.png"):
        old.unlink()
    started = time.monotonic()
    workbench = open_workbench({})
    page = workbench.page
    open_file(page, sample.path.name)

    # 1. The squiggle (severity information: squiggly-info) under the negative sentence only.
    squiggles = page.locator(".monaco-editor .squiggly-info")
    squiggles.first.wait_for(timeout=MS)  # the server starts and loads its model first
    seconds_to_squiggle = time.monotonic() - started
    page.wait_for_timeout(500)
    shot(page, "1-squiggle")
    boxes = [squiggles.nth(i).bounding_box() for i in range(squiggles.count())]
    negative_box = line(page, NEGATIVE).bounding_box()
    assert negative_box is not None
    assert any(box and overlaps_vertically(box, negative_box) for box in boxes), boxes
    for fragment in POSITIVE:
        positive_box = line(page, fragment).bounding_box()
        assert positive_box is not None
        assert not any(box and overlaps_vertically(box, positive_box) for box in boxes), fragment

    # 2. The status bar: the document's sentiment at a glance.
    status = page.locator(f"[id='{vscode.EXTENSION_ID}.sentimentLs.status']")
    status.wait_for()
    # The flagged count from the diagnostics ("Sentiment: 1 NEGATIVE"), then, when the server
    # has the analyze command, with each label's share ("1 flagged · 50% NEGATIVE · ...").
    glance = text_matching(status, ONE_FLAGGED)
    assert ONE_FLAGGED.search(glance), glance

    # 3. The Problems panel lists it, with the server as source.
    page.locator(".statusbar-item[id='status.problems']").click()
    row = page.locator(".markers-panel .monaco-list-row", has_text="Negative sentiment")
    row.wait_for()
    page.wait_for_timeout(300)
    shot(page, "2-problems")
    problem = row.inner_text()
    assert "sentiment-ls" in problem and "Ln 5" in problem.replace("\n", " "), problem
    page.keyboard.press("Control+J")  # close the panel again for the hover's room
    page.wait_for_timeout(300)

    # 4. The hover on the negative sentence: the verdict and the words that drove it in view
    # without scrolling, then the pipeline (tokens, logits, probabilities).
    target = line(page, NEGATIVE).locator("span", has_text="importer").last
    hover = page.locator(".monaco-hover:visible", has_text="1 · Tokenizer")
    for _ in range(3):  # the first hover can come before the mouse settles
        page.mouse.move(0, 0)
        target.hover(position={"x": 5, "y": 5})
        try:
            hover.first.wait_for(timeout=15_000)
            break
        except Exception:
            continue
    hover.first.wait_for(timeout=5_000)
    page.wait_for_timeout(500)
    shot(page, "3-hover")
    box = hover.first.bounding_box()
    sentence_box = line(page, NEGATIVE).bounding_box()
    assert box and sentence_box
    # The hover with the sentence above it: the README's screenshot.
    page.screenshot(
        path=screenshots_dir() / "vscode-hover.png",
        clip={
            "x": box["x"] - 8,
            "y": sentence_box["y"] - 8,
            "width": box["width"] + 16,
            "height": box["y"] + box["height"] - sentence_box["y"] + 16,
        },
    )
    # The README shows that screenshot (copied by hand when the layout changes).
    assert "(docs/hover-vscode.png)" in README.read_text(encoding="utf-8")
    assert (ROOT / "docs" / "hover-vscode.png").stat().st_size > 0
    markdown = hover.first.locator(".hover-contents", has_text="1 · Tokenizer").first
    text = markdown.inner_text()
    assert_hover_layout(text, "rendered", sample)
    assert "Negative sentiment" in page.locator(".monaco-hover:visible").first.inner_text()
    # In view without scrolling: the verdict line and the first driving word lie inside the
    # hover box as it opened.
    verdict = markdown.locator("p", has_text="· flagged").first
    words = markdown.locator("p", has_text="Toward negative").first
    for element in (verdict, words):
        inner = element.bounding_box()
        assert inner and box["y"] <= inner["y"], (inner, box)
        assert inner["y"] + inner["height"] <= box["y"] + box["height"], (inner, box)
    # The rest of the hover (the logits and probabilities), scrolled into view.
    hover.first.hover()
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(500)
    shot(page, "3-hover-scrolled")

    # 5. Clicking the status bar item opens the document report (a Markdown preview).
    page.mouse.move(0, 0)
    page.keyboard.press("Escape")
    status.click()
    deadline = time.monotonic() + 60
    report = ""
    while time.monotonic() < deadline and "Sentiment report" not in report:
        page.wait_for_timeout(500)
        for frame in page.frames:
            try:
                body = frame.locator("body").inner_text(timeout=1_000)
            except Exception:
                continue
            if "Sentiment report" in body:
                report = body
    assert "Sentiment report: release.md" in report, report
    assert "1 sentence flagged" in report and "painfully slow" in report, report
    shot(page, "4-report")

    # 6. The model command names the model in use.
    run_command(page, "sentiment-ls: Show Model in Use")
    toast = page.locator(".notifications-toasts .notification-toast", has_text="model")
    toast.first.wait_for()
    page.wait_for_timeout(800)  # the toast slides in
    shot(page, "5-model")
    assert "embedded" in toast.first.inner_text()
    page.keyboard.press("Escape")

    # 7. The Settings editor lists every contributed setting; changing one there reaches the
    # server: severity warning turns the squiggle yellow.
    run_command(page, "Preferences: Open User Settings")
    search = page.locator(
        ".settings-editor .suggest-input-container textarea, "
        ".settings-editor .suggest-input-container input"
    ).first
    search.wait_for()
    page.keyboard.type("@ext:sentiment-ls.sentiment-ls")
    page.locator(".settings-editor .setting-item", has_text="Threshold").first.wait_for()
    shot(page, "6-settings")
    page.keyboard.press("Control+A")
    page.keyboard.type("sentimentLs.severity")
    select = page.locator(".settings-editor .setting-item select").first
    select.wait_for()
    select.select_option("warning")
    page.locator(".tab", has_text=sample.path.name).first.click()
    warning = page.locator(".monaco-editor .squiggly-warning")
    warning.first.wait_for(timeout=60_000)
    assert page.locator(".monaco-editor .squiggly-info").count() == 0
    box = warning.first.bounding_box()
    negative_box = line(page, NEGATIVE).bounding_box()
    assert box and negative_box and overlaps_vertically(box, negative_box)
    shot(page, "7-warning")

    # 8. Restart Server: a new server process, the same finding again.
    line(page, NEGATIVE).click()  # the editor, not the report, is active again
    run_command(page, "sentiment-ls: Restart Server")
    page.wait_for_function(
        "() => document.querySelectorAll('.monaco-editor .squiggly-warning').length === 0",
        timeout=60_000,
    )  # the old server's diagnostics are cleared when it stops
    warning.first.wait_for(timeout=MS)
    status.wait_for()
    assert ONE_FLAGGED.search(text_matching(status, ONE_FLAGGED)), status.inner_text()
    print(
        f"code-server: squiggle after {seconds_to_squiggle:.1f} s, "
        f"test {time.monotonic() - started:.1f} s"
    )


def test_vscode_says_how_to_fix_a_server_that_cannot_start(
    open_workbench: Callable[[dict[str, object]], Workbench], sample: Sample
) -> None:
    missing = "/nonexistent/sentiment-ls"
    page = open_workbench({"sentimentLs.server.command": missing}).page
    open_file(page, sample.path.name)
    toast = page.locator(".notifications-toasts .notification-toast", has_text=missing)
    toast.first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)  # the toast slides in
    shot(page, "8-no-server")
    text = toast.first.inner_text()
    assert "cannot start the server" in text, text
    assert "sentimentLs.server.command" in text and "pip install sentiment-ls" in text, text
    assert page.locator(".notification-toast .monaco-button", has_text="Open Settings").count()
    status = page.locator(f"[id='{vscode.EXTENSION_ID}.sentimentLs.status']")
    assert "Sentiment" in status.inner_text()  # the error state, which opens the output
