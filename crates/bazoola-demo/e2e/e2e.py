"""End-to-end test of the demo in a real headless Chromium.

Starts the bazoola-demo binary on a free loopback port over a fresh data directory,
drives Debian's Chromium through Playwright (with a fresh --user-data-dir): reads the
dashboard's counts per status and the projects' counts, pages through the task list
(sorted by due date, 20 a page) with "next" and the page numbers, with and without a
status filter, checking the order of the due dates on each page; creates a user (after
a refused attempt), a project and a task, comments on the task, searches for it, is
refused when deleting a project owner, deletes the project, and sees the task and its
comment gone. Saves a screenshot of every page it visits.

Usage: e2e.py BINARY ARTIFACT_DIR
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class Run:
    def __init__(self, page: Page, base: str, artifacts: Path):
        self.page = page
        self.base = base
        self.artifacts = artifacts
        self.shots = 0
        self.checks = 0

    def shot(self, name: str) -> None:
        """Checks the page ends with its build panel, then saves a screenshot of it."""
        expect(self.page.locator("#how-built h2")).to_have_text("How this page was built")
        self.shots += 1
        path = self.artifacts / f"e2e-{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        print(f"  screenshot {path.name}")

    def see(self, selector: str, text: str) -> None:
        expect(self.page.locator(selector).first).to_contain_text(text)
        self.checks += 1

    def at(self, pattern: str) -> None:
        expect(self.page).to_have_url(re.compile(re.escape(self.base) + pattern + "$"))
        self.checks += 1

    def goto(self, path: str, status: int = 200) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        self.checks += 1


NO_DATE = "–"


def due_dates(page: Page) -> list[str]:
    """The due-date column of the task list, top to bottom ("–" for none)."""
    return [d.strip() for d in page.locator("table.tasks tbody td.due").all_inner_texts()]


def check_due_order(dates: list[str]) -> None:
    """Due dates never go down, and once one is missing the rest are too."""
    dated = [d for d in dates if d != NO_DATE]
    assert dates[: len(dated)] == dated, f"a task without a due date before one with: {dates}"
    assert dated == sorted(dated), f"due dates out of order: {dates}"


def scenario(run: Run) -> None:
    page = run.page

    print("dashboard")
    run.goto("/")
    run.see("h1", "Dashboard")
    run.see("#tasks-by-status [data-status=todo] .n", "23")
    run.see("#tasks-by-status [data-status=blocked] .n", "6")
    run.see("#how-built", "COUNT() AS n GROUP BY status")
    run.see("#how-built", "counted from index runs, no row read")
    run.shot("dashboard")

    print("projects with their task and comment counts")
    page.click("nav >> text=Projects")
    run.at("/projects")
    office = page.locator("table.projects tbody tr:has-text('Office Move') td.num")
    expect(office).to_have_text(["15", "2"])
    website = page.locator("table.projects tbody tr:has-text('Website Redesign') td.num")
    expect(website).to_have_text(["4", "3"])
    run.see("#how-built", "InverseCount(project_id → comments, tasks).through(InverseCount(task_id → n, comments))")
    run.checks += 2
    run.shot("projects-counts")

    print("the task list: by due date, 20 a page")
    page.click("nav >> text=Tasks")
    run.at("/tasks")
    run.see(".page-summary", "Tasks 1–20 of 52")
    run.see(".pager .current", "1")
    first = due_dates(page)
    assert len(first) == 20 and NO_DATE not in first, first
    check_due_order(first)
    run.see("#how-built", "ORDER BY due_date, id LIMIT 20")
    run.shot("tasks-page-1")

    page.click(".pager a[rel=next]")
    run.at(r"/tasks\?page=2")
    run.see(".page-summary", "Tasks 21–40 of 52")
    run.see(".pager .current", "2")
    second = due_dates(page)
    assert len(second) == 20, second
    check_due_order(second)
    assert first[-1] <= second[0], f"page 2 starts before page 1 ends: {first[-1]} > {second[0]}"
    assert second[-1] == NO_DATE, f"page 2 ends with the first task without a due date: {second}"
    run.see("#how-built", "LIMIT 20 OFFSET 20")
    run.shot("tasks-page-2")

    page.click(".pager a:text-is('3')")
    run.at(r"/tasks\?page=3")
    run.see(".page-summary", "Tasks 41–52 of 52")
    third = due_dates(page)
    assert third == [NO_DATE] * 12, third
    expect(page.locator(".pager a[rel=next]")).to_have_count(0)
    run.checks += 5
    run.shot("tasks-page-3")
    page.click(".pager a[rel=prev]")
    run.at(r"/tasks\?page=2")

    print("a status filter pages too, and its links keep it")
    page.click(".filters a:text-is('todo')")
    run.at(r"/tasks\?status=todo")
    run.see(".page-summary", "Tasks 1–20 of 23")
    check_due_order(due_dates(page))
    page.click(".pager a[rel=next]")
    run.at(r"/tasks\?status=todo&page=2")
    run.see(".page-summary", "Tasks 21–23 of 23")
    expect(page.locator("table.tasks tbody tr .badge.status-todo")).to_have_count(3)
    expect(page.locator("table.tasks tbody tr")).to_have_count(3)
    run.checks += 2
    run.shot("tasks-todo-page-2")

    print("a user: refused first, then created")
    page.click("nav >> text=Users")
    run.at("/users")
    page.click("text=New user")
    run.at("/users/new")
    page.fill("#username", "erin-with-a-very-long-name")
    page.fill("#email", "erin@example.com")
    page.select_option("#role", "manager")
    page.click("button[type=submit] >> text=Create user")
    run.see(".alert-error", "username: the value is too long")
    expect(page.locator("#username")).to_have_value("erin-with-a-very-long-name")
    expect(page.locator("#email")).to_have_value("erin@example.com")
    run.see("#how-built", "refused")
    run.shot("user-refused")
    page.fill("#username", "erin")
    page.click("button[type=submit] >> text=Create user")
    run.at("/users")
    run.see(".alert-success", "User 'erin' created.")
    run.see(".user:has-text('erin@example.com')", "manager")
    run.shot("user-created")

    print("a project")
    page.click("nav >> text=Projects")
    page.click("text=New project")
    page.fill("#name", "Rocket Garden")
    page.fill("#description", "Grow a garden of small model rockets.")
    page.select_option("#owner_id", label="erin (manager)")
    page.fill("#due_date", "2027-05-01")
    run.shot("project-form")
    page.click("button[type=submit] >> text=Create project")
    run.at(r"/projects/\d+")
    run.see(".alert-success", "Project 'Rocket Garden' created.")
    run.see("h1", "Rocket Garden")
    run.see("#how-built", "find_by_id")
    project_url = page.url
    run.shot("project-created")

    print("a task in it")
    page.click("text=Add task")
    run.at(r"/tasks/new\?project_id=\d+")
    expect(page.locator("#project_id option:checked")).to_have_text("Rocket Garden")
    page.fill("#title", "Plant the rockets")
    page.fill("#description", "Three rows, fins facing north.")
    page.select_option("#assignee_id", label="erin (manager)")
    page.select_option("#priority", "high")
    page.fill("#estimated_hours", "5")
    page.click("button[type=submit] >> text=Create task")
    run.at(r"/tasks/\d+")
    run.see(".alert-success", "Task 'Plant the rockets' created.")
    task_path = page.url[len(run.base):]
    run.see("#comments h2", "Comments (0)")
    run.shot("task-created")
    # No due date: the last task of the last page.
    run.goto("/tasks?page=3")
    expect(page.locator("table.tasks tbody tr").last).to_contain_text("Plant the rockets")
    run.checks += 1
    page.goto(run.base + task_path)

    print("a comment on it")
    page.select_option("#user_id", label="erin")
    page.fill("#content", "The launch window opens on Tuesday.")
    page.click("button[type=submit] >> text=Add comment")
    run.at(task_path)
    run.see(".alert-success", "Comment added.")
    run.see("#comments h2", "Comments (1)")
    run.see(".comment", "The launch window opens on Tuesday.")
    run.shot("task-commented")

    print("search")
    page.fill("nav input[name=q]", "ROCKETS")
    page.press("nav input[name=q]", "Enter")
    run.at(r"/search\?q=ROCKETS")
    run.see(".results-tasks", "Plant the rockets")
    run.see(".results-projects", "Rocket Garden")
    run.see("#how-built", "ISUBSTR")
    run.shot("search-task")
    page.fill("nav input[name=q]", "launch WINDOW")
    page.press("nav input[name=q]", "Enter")
    run.see(".results-comments", "The launch window opens on Tuesday.")
    run.shot("search-comment")

    print("a project owner cannot be deleted")
    run.goto("/users")
    page.click(".user:has-text('erin@example.com') >> text=Delete")
    run.see("h1", "Delete user 'erin'?")
    run.see("main", "ON DELETE RESTRICT, so the delete will be refused")
    page.click("button >> text=Delete")
    run.see(".alert-error", "Cannot delete user 'erin': projects.owner_id refers to this user and is ON DELETE RESTRICT")
    run.see(".user:has-text('erin@example.com')", "erin")
    run.shot("owner-delete-refused")

    print("delete the project: its task and comment go too")
    page.goto(project_url)
    page.click("main >> text=Delete")
    run.see("main", "1 task and 1 comment on them will be deleted with it")
    run.shot("project-delete-confirm")
    page.click("button >> text=Delete")
    run.at("/projects")
    run.see(".alert-success", "Project 'Rocket Garden' deleted, and with it 1 task and 1 comment (ON DELETE CASCADE).")
    expect(page.locator("table.projects")).not_to_contain_text("Rocket Garden")
    run.shot("project-deleted")

    run.goto(task_path, status=404)
    run.see("h1", "Not found")
    run.shot("task-gone")
    run.goto("/search?q=launch+window")
    run.see("main", "0 results")
    expect(page.locator(".results-comments")).to_have_count(0)
    run.shot("comment-gone")
    run.goto("/tasks?page=3")
    expect(page.locator("table.tasks")).not_to_contain_text("Plant the rockets")
    expect(page.locator("table.tasks tbody tr")).to_have_count(12)
    run.checks += 2
    run.shot("tasks-after")


def main() -> int:
    binary, artifacts = Path(sys.argv[1]), Path(sys.argv[2])
    artifacts.mkdir(parents=True, exist_ok=True)
    for old in artifacts.glob("e2e-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="bazoola-e2e-") as tmp:
        data, profile = Path(tmp) / "data", Path(tmp) / "chromium-profile"
        server = subprocess.Popen(
            [str(binary), "--data-dir", str(data), "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            # The server prints its address once it is listening.
            line = server.stdout.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            assert match, f"the server did not start: {line!r}"
            base = match.group(1)
            print(f"server at {base}")
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    str(profile),
                    executable_path=CHROMIUM,
                    headless=True,
                    args=CHROMIUM_FLAGS,
                    viewport={"width": 1200, "height": 900},
                )
                try:
                    page = context.pages[0] if context.pages else context.new_page()
                    page.set_default_timeout(30_000)
                    run = Run(page, base, artifacts)
                    scenario(run)
                finally:
                    context.close()
        finally:
            server.terminate()
            code = server.wait(timeout=60)
        assert code == 0, f"the server exited with {code} on SIGTERM"
    print(f"demo e2e: {run.checks} checks, {run.shots} screenshots in {artifacts}")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
