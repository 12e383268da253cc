"""`make screenshots`: full-page PNGs of the main pages at phone and desktop widths, taken with
the system's Chromium from the production configuration, into docs/screenshots/."""

from playwright.sync_api import sync_playwright

from tests.browser.serve import MAIN_PAGES, ROOT, production_server
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, WIDTHS

OUT = ROOT / "docs" / "screenshots"
PAGES = {name: path for name, path in MAIN_PAGES.items() if name != "appeals"}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with production_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, viewport in WIDTHS.items():
            context = browser.new_context(viewport=viewport, base_url=url, device_scale_factor=1)
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(path)
                target = OUT / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(f"{target.relative_to(ROOT)}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
