"""A slider step end to end in a real browser: key press -> new figure on screen, per stage.

Run: python benchmarks/bench_browser.py [--steps 24] [--against OTHER_CHECKOUT] [--json FILE]

Needs Debian's chromium (/usr/bin/chromium, or $HT_CHROMIUM) and playwright from PyPI, as the
browser tests do.  It starts a private JupyterLab on a temporary notebook holding every explorer
cell of the solution notebooks (``import hiertools as ht`` and, e.g., ``ht.pooling_explorer()``),
runs it in chromium, and presses arrow keys on each explorer's sliders in turn (a few warm-up
steps first, then ``--steps`` measured steps per explorer).  The page times each step itself
(tests/browser_support.py, LATENCY_INIT_JS) on the one wall clock of this machine, which the
kernel's message headers use too, and the table gives the median of each stage of a step:

  page->kernel   key press until the kernel stamps its busy status (slider view, websocket,
                 server, kernel)
  kernel         busy until the kernel stamps the message carrying the figure (compute, draw,
                 blit and PNG encode; the readout's message follows it, see _FigureView.show)
  kernel->page   that stamp until the message arrives in the page (serialising, the kernel's
                 IOPub thread, the server, the websocket)
  page           arrival until the <img> gets the new figure (the widget manager)
  decode         the new src until the image is decoded
  paint          decoded until the next frame is painted
  end to end     key press until that frame: what a learner sees

with the p90 of the end to end, the bytes of the figure's message, the messages the kernel sends
per step and how often the <img> got a new src per step.  First it measures the kernel's stages
apart (as benchmarks/bench_widgets.py does): compute, draw, blit, PNG encode, and PNG bytes.

--against DIR runs a second JupyterLab whose kernels import hiertools from another checkout DIR
(e.g. ``git worktree add /tmp/before main``) and alternates the two, step by step, so both see
the same load: a before/after comparison in one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import browser_support as bs  # noqa: E402


class _Lab:
    """A JupyterLab on the explorers notebook, kernels importing hiertools from `repo`."""

    def __init__(self, browser, repo: Path, sources):
        self.repo = repo
        self.root = Path(tempfile.mkdtemp(prefix="bench_browser_"))
        bs.write_explorers_notebook(self.root / "explorers.ipynb", sources)
        self.server = bs.LabServer(self.root, repo=repo)
        self.context = None
        try:
            self.server.start()
            self._open(browser, repo, len(sources))
        except BaseException:
            self.close()  # no server left running when the page or the kernel fails
            raise

    def _open(self, browser, repo, count):
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                           device_scale_factor=1, reduced_motion="reduce")
        self.context.add_init_script(bs.LATENCY_INIT_JS)
        self.context.set_default_timeout(60_000)
        self.page = self.context.new_page()
        bs.open_notebook(self.page, self.server, "explorers.ipynb",
                         workspace=f"b{uuid.uuid4().hex[:8]}")
        bs.run_all_and_wait(self.page)
        imported = self.page.locator(".jp-OutputArea-output").first.inner_text()
        expected = str(repo / "hiertools" / "__init__.py")
        if expected not in imported:
            raise RuntimeError(f"the kernel imported {imported}, not {expected}")
        explorers = self.page.locator(".ht-explorer")
        if explorers.count() != count:
            raise RuntimeError(f"{count} explorer cells but {explorers.count()} explorers")
        self.explorers = [explorers.nth(i) for i in range(count)]

    def stepper(self, i):
        self.explorers[i].scroll_into_view_if_needed()
        return bs.SliderStepper(self.page, self.explorers[i])

    def close(self):
        if self.context is not None:
            self.context.close()
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def browser_steps(repos, steps=24, warmup=4, pause=0.15):
    """{explorer label: {repo: [step, ...]}}, alternating the repos step by step."""
    from playwright.sync_api import sync_playwright

    reason = bs.browser_unavailable_reason()
    if reason:
        raise SystemExit(reason)
    sources = bs.explorer_sources()
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(bs.CHROMIUM),
                                             args=bs.CHROMIUM_ARGS)
        labs = []
        try:
            for repo in repos:
                labs.append(_Lab(browser, repo, [text for _, text in sources]))
            for i, (notebook, text) in enumerate(sources):
                label = f"{notebook[:2]} {text.strip().removeprefix('ht.')}"
                steppers = [lab.stepper(i) for lab in labs]
                results[label] = {str(lab.repo): [] for lab in labs}
                for k in range(warmup + steps):
                    for lab, stepper in zip(labs, steppers):
                        step = stepper.step()
                        if k >= warmup:
                            results[label][str(lab.repo)].append(step)
                        time.sleep(pause)
        finally:
            for lab in labs:
                lab.close()
            browser.close()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=24, help="measured steps per explorer")
    parser.add_argument("--against", type=Path, help="another checkout to compare, step by step")
    parser.add_argument("--json", type=Path, help="write every step's stages here")
    parser.add_argument("--no-kernel", action="store_true", help="skip the kernel-only stages")
    args = parser.parse_args(argv)

    if not args.no_kernel:
        import bench_widgets

        print("Kernel alone (same canvas, median ms over each slider's teaching grid):")
        bench_widgets.print_stages()
        print()

    repos = [REPO] + ([args.against.resolve()] if args.against else [])
    results = browser_steps(repos, steps=args.steps)
    labels = [label for label, _, _ in bs.SPANS]
    print("In chromium with JupyterLab, median ms per step (p90 of end to end):")
    print(f"{'explorer':24s} {'checkout':10s} " + " ".join(f"{x:>12s}" for x in labels)
          + f" {'p90':>6s} {'KB':>5s} {'msgs':>4s} {'srcs':>4s} {'steps':>5s}")
    for label, by_repo in results.items():
        for repo, steps in by_repo.items():
            row = bs.summarize_steps(steps)
            name = "this" if Path(repo) == REPO else Path(repo).name
            print(f"{label:24s} {name:10s} " + " ".join(f"{row[x]:12.1f}" for x in labels)
                  + f" {row['p90']:6.0f} {row['KB']:5.1f} {row['messages']:4.0f} {row['srcs']:4.0f}"
                  f" {row['steps']:5d}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
