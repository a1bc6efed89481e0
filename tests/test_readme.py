"""Every ```python block of README.md runs as written, in a fresh namespace."""

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)


def test_the_readme_has_python_examples():
    assert BLOCKS, "README.md has no ```python block"


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_python_block_runs(number):
    exec(compile(BLOCKS[number], f"README.md python block {number + 1}", "exec"), {})  # noqa: S102
