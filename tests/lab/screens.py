"""Screenshots of the agent desk with a pop and of the wallboard, taken from a running demo.

    ./lab demo --seconds 300 &        # then, once it prints its addresses:
    .venv/bin/python -m tests.lab.screens [--config var/demo/acd-demo.yaml] [--out docs/screens]

Signs in by the pages' own form (passwords from the demo's secrets file, never printed), waits
on /desk until the desk agent's phone rings and the pop is drawn, and on /wall until the day has
counted calls, and writes desk-pop.png and wallboard.png. Debian's Chromium through Playwright,
as the browser tests use it (tests/lab/browser.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from acd import config as config_module
from acd.config import Config
from acd.lab.demo_signin import DESK_AGENT
from tests.lab.browser import CHROMIUM, FLAGS

VIEWPORT = {"width": 1280, "height": 860}
POP_WAIT_MS = 180_000  # an IVR caller reaches the desk agent within a few rounds of the day


def _sign_in(page, base: str, number: str, password: str, where: str) -> None:
    page.goto(f"{base}/signin?next={where}")
    page.fill('input[name="number"]', number)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    page.wait_for_url(f"**{where}")


def _people(config: Config) -> tuple[tuple[str, str], tuple[str, str]]:
    agent = config.agent(DESK_AGENT)
    supervisor = next(s for s in config.staff if s.role == "supervisor" and s.password)
    if agent is None or agent.password is None or supervisor.password is None:
        raise SystemExit("the demo's config has no desk agent or supervisor with a password")
    return (agent.number, agent.password), (supervisor.number, supervisor.password)


def shoot(config: Config, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    base = f"http://{config.http.host}:{config.http.port}"
    (agent, agent_password), (supervisor, supervisor_password) = _people(config)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        desk = browser.new_context(viewport=VIEWPORT).new_page()
        _sign_in(desk, base, agent, agent_password, "/desk")
        try:  # a caller the IVR has classified (the scripted round's), else any pop
            expect(desk.locator("#pops .pop-category").first).to_be_visible(timeout=POP_WAIT_MS)
        except AssertionError:
            expect(desk.locator("#pops > *").first).to_be_visible(timeout=10_000)
        desk.wait_for_timeout(1_500)  # the pop's history and hints filled in
        desk.screenshot(path=str(out / "desk-pop.png"), full_page=True)
        wall = browser.new_context(viewport=VIEWPORT).new_page()
        _sign_in(wall, base, supervisor, supervisor_password, "/wall")
        wall.wait_for_timeout(5_000)  # a few live updates on the charts
        wall.screenshot(path=str(out / "wallboard.png"), full_page=True)
        browser.close()
    return [out / "desk-pop.png", out / "wallboard.png"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("var/demo/acd-demo.yaml"))
    parser.add_argument("--out", type=Path, default=Path("docs/screens"))
    args = parser.parse_args()
    for path in shoot(config_module.load(args.config), args.out):
        print(path)


if __name__ == "__main__":
    main()
