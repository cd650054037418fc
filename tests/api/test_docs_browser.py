"""The docs page renders in real headless Chromium under the site's CSP, with no request leaving the server.

A plan engineer opens /api/docs/, authorizes with a token and tries an operation.
"""
import pytest

from carecoord.accounts.services import api_token_issue


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_docs_page_renders_and_tries_an_operation_without_external_requests(browser, live_server, liaison_x, case_a):
    _, token = api_token_issue(user=liaison_x, name="docs")
    page = browser.new_page(base_url=live_server.url)
    violations, external, errors = [], [], []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("request", lambda req: external.append(req.url) if not req.url.startswith(live_server.url) and not req.url.startswith("data:") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # When the plan engineer opens the docs
    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()
    # Then the operations and the getting-started text render, under the CSP, from our own server only
    assert page.locator(".opblock").count() > 10
    assert page.get_by_text("Getting started").count() >= 1
    # When they authorize with their token and try "List your plan's members"
    page.locator("button.authorize").first.click()
    bearer = page.locator(".modal-ux form").filter(has_text="bearerAuth")
    bearer.locator("input").first.fill(token)
    bearer.locator("button.authorize").click()
    page.locator(".modal-ux button.btn-done").first.click()
    operation = page.locator(".opblock", has=page.locator("[data-path='/api/members/']")).filter(has_text="GET").first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    # Then the answer is their member
    operation.locator(".live-responses-table tr.response .response-col_status").first.wait_for()
    assert "200" in operation.locator(".live-responses-table tr.response .response-col_status").first.inner_text()
    assert case_a.member.cin in operation.locator(".live-responses-table").inner_text()
    assert violations == [] and external == [] and errors == []
