"""How long the website takes to build from a fresh clone, and how big it is.

    python benchmarks/bench_site.py            # clone HEAD into a temporary folder, build, report

Clones the repository's committed HEAD (``git clone``, so uncommitted changes are not
measured) into a temporary folder and runs ``python -m hiertools site`` there with this
interpreter (the environment must have the ``[site]`` extra installed; ``-m`` imports the
clone's own ``hiertools``). Prints the wall and CPU time of the build, the site's size and
its number of pages and images. Goal: <= 60 s on 2 cores after the install; the size limit,
30 MB, is a test (tests/test_site.py).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "course"
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{REPO}", str(clone)],
                       check=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "hiertools", "site"], cwd=clone,
                                capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
            return result.returncode
        site = clone / "_build" / "site"
        files = [p for p in site.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        pages = [p for p in files if p.suffix == ".html" and p.parent.name != "_static"]
        images = list((site / "_images").glob("*"))
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"site build from a fresh clone: {wall:.1f} s wall, {cpu:.1f} s CPU (goal <= 60 s)")
        print(f"site size: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB; limit 30 MB), "
              f"{len(pages)} pages, {len(images)} images, {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
