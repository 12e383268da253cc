"""`make audit`: Lighthouse (from npm, pinned in package-lock.json) with the system's Chromium over
the main pages, served in the production configuration. Writes the JSON and HTML reports to
reports/ and the four category scores per page, with what kept any below 100, to docs/audit.md.
Not part of CI: Lighthouse's performance score depends on the machine's load."""

import datetime
import json
import os
import subprocess
import sys

from tests.browser.serve import MAIN_PAGES, ROOT, production_server
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, NODE_MODULES

LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
REPORTS = ROOT / "reports"
SUMMARY = ROOT / "docs" / "audit.md"
CATEGORIES = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best practices",
    "seo": "SEO",
}
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# Performance varies from run to run with the machine's load; Lighthouse's documentation advises
# the median of several runs. Each page is measured RUNS times and the median run is reported.
RUNS = int(os.environ.get("AUDIT_RUNS", "3"))


def lighthouse(url, out):
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    subprocess.run(
        [
            LIGHTHOUSE,
            url,
            "--quiet",
            f"--chrome-path={CHROMIUM}",
            f"--chrome-flags={flags}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            "--output=html",
            f"--output-path={out}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    with open(f"{out}.report.json") as file:
        return json.load(file)


def shortfalls(report):
    """Audits that scored below full marks, by category, as 'title (score)'."""
    found = []
    for key in CATEGORIES:
        for ref in report["categories"][key]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                found.append(f"{CATEGORIES[key]}: {audit['title']} ({round(audit['score'] * 100)})")
    return found


def main():
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `make audit`, which installs it with npm ci.")
    REPORTS.mkdir(exist_ok=True)
    rows, notes = [], []
    with production_server() as base:
        for name, path in MAIN_PAGES.items():
            runs = [lighthouse(base + path, REPORTS / f"{name}-run{n}") for n in range(1, RUNS + 1)]
            runs.sort(key=lambda r: r["categories"]["performance"]["score"])
            report = runs[len(runs) // 2]
            scores = {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}
            rows.append((path, scores))
            notes += [f"- `{path}`: {item}" for item in shortfalls(report)]
            print(path, scores)
    version = report["lighthouseVersion"]
    browser = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    browser = browser[1] if len(browser) > 1 else "(version unknown)"
    lines = [
        "# Lighthouse audit",
        "",
        f"`make audit` on {datetime.date.today():%-d %B %Y}: Lighthouse {version}, Chromium {browser}, "
        f"mobile emulation with simulated throttling (Lighthouse's default), the median of {RUNS} runs "
        "per page by performance score, the production configuration "
        "(`DEBUG` off, gunicorn, whitenoise) with the initial content. Targets: performance at least "
        "95, the others 100. Full reports: `reports/` (not committed).",
        "",
        "| page | " + " | ".join(CATEGORIES.values()) + " |",
        "|---|" + "---:|" * len(CATEGORIES),
    ]
    for path, scores in rows:
        lines.append(f"| `{path}` | " + " | ".join(str(scores[key]) for key in CATEGORIES) + " |")
    lines += ["", "## Below full marks", ""]
    lines += notes or ["Nothing: every audit that counts towards a score passed."]
    SUMMARY.write_text("\n".join(lines) + "\n")
    print(f"Scores written to {SUMMARY.relative_to(ROOT)}")
    missed = [
        f"{path}: {key} {scores[key]} < {target}"
        for path, scores in rows
        for key, target in TARGETS.items()
        if scores[key] < target
    ]
    if missed:
        print("Below target:\n" + "\n".join(missed))


if __name__ == "__main__":
    main()
