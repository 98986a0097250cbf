"""`cbis report --pdf FILE`: the HTML report (reports.html_format), every selected file on one page, printed to
PDF by headless chromium through Playwright, with the case number in every page's header and "page x of y" in
its footer (chromium's own header and footer templates, outside the page's content).

Chromium is Debian's (`apt-get install chromium`, the one the browser tests drive), found on PATH, or named by
CBIS_CHROMIUM; Playwright is the `pdf` extra (`pip install 'cbis[pdf]'`; `make install` includes it). Neither
downloads anything: the page is a local file that loads nothing (its Content-Security-Policy says so), and every
request other than that file is refused. A PDF is NOT byte-identical between runs: chromium writes its creation
time (and a document id) into every file; the manifest holds its SHA-256 as for any report.
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from cbis.db.case import audit_head
from cbis.errors import ReportToolError
from cbis.reports import DocumentContext, PartWriter, register_document
from cbis.reports.html_format import render_pages

CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10 * 60 * 1000  # a selection of thousands of files takes chromium a while to lay out
_HEADER_STYLE = "font-family: DejaVu Sans, Arial, sans-serif; font-size: 8px; width: 100%; margin: 0 12mm;"


def chromium() -> str:
    """The chromium to print with: $CBIS_CHROMIUM, else chromium on PATH; a clear error if there is none."""
    named = os.environ.get("CBIS_CHROMIUM")
    found = named if named and os.access(named, os.X_OK) else None
    if found is None and not named:
        found = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    if found is None:
        where = f"CBIS_CHROMIUM={named} is not an executable file" if named else "no chromium on PATH"
        raise ReportToolError(
            f"--pdf prints with headless chromium and found none ({where}): install it (`apt-get install "
            "chromium` on Debian or Ubuntu) or set CBIS_CHROMIUM to its path"
        )
    return found


def _sync_playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ReportToolError(
            "--pdf drives chromium through Playwright, which is not installed: pip install 'cbis[pdf]' "
            "(`make install` includes it)"
        ) from None
    return sync_playwright


def header_template(case_number: str) -> str:
    return f'<div style="{_HEADER_STYLE} text-align: left;">cbis report, case {html.escape(case_number)}</div>'


def footer_template(case_number: str) -> str:
    return (
        f'<div style="{_HEADER_STYLE} text-align: right;">case {html.escape(case_number)}, page '
        '<span class="pageNumber"></span> of <span class="totalPages"></span></div>'
    )


def print_pdf(page_html: str, case_number: str, executable: str) -> bytes:
    """`page_html` printed to A4 PDF by chromium, headers and footers on every page."""
    sync_playwright = _sync_playwright()
    with tempfile.TemporaryDirectory(prefix="cbis-pdf-") as scratch:
        page_file = Path(scratch) / "report.html"
        page_file.write_text(page_html, encoding="utf-8")
        address = page_file.as_uri()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
                try:
                    page = browser.new_page()
                    page.set_default_timeout(TIMEOUT_MS)
                    # Nothing but the page itself: no network, no other file.
                    page.route("**/*", lambda route: _only(route, address))
                    page.goto(address, wait_until="load")
                    return bytes(
                        page.pdf(
                            format="A4",
                            print_background=True,
                            display_header_footer=True,
                            header_template=header_template(case_number),
                            footer_template=footer_template(case_number),
                            margin={"top": "16mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
                        )
                    )
                finally:
                    browser.close()
        except Exception as exc:  # Playwright's own errors: chromium would not start, crashed, timed out
            if type(exc).__module__.startswith("playwright"):
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ReportToolError(f"--pdf: chromium ({executable}) failed: {first}") from None
            raise


def _only(route: Any, address: str) -> None:
    if route.request.url == address:
        route.continue_()
    else:
        route.abort()


class PdfDocument:
    name = "pdf"
    description = "the HTML report printed to PDF by headless chromium (case number and page x of y on each page)"
    directory = False

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        executable = chromium()  # before anything is written: a missing chromium leaves no trace
        _sync_playwright()

        def fill(raw: BinaryIO) -> int:
            head = audit_head(context.connection)  # the chain as it stood when this report began
            ((_, page_html, files),) = list(render_pages(context, None, audit_head=head))
            raw.write(print_pdf(page_html, context.case_number, executable))
            return files

        return [(file_name, fill)]


PDF = register_document(PdfDocument())
