"""The READMEs' Python examples run as written: every ```python block of python/README.md and of the repository's
README is executed (pytest-style blocks through pytest itself, with the installed plugin's fixtures)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

READMES = [Path(__file__).resolve().parents[1] / "README.md", Path(__file__).resolve().parents[2] / "README.md"]
BLOCKS = [
    (readme, block)
    for readme in READMES
    for block in re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), flags=re.S)
]


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 9
    assert all(any(r == readme for r, _ in BLOCKS) for readme in READMES)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index: int, pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    readme, code = BLOCKS[index]
    if "def test_" in code:
        pytester.makepyfile(test_from_readme=code)
        result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=code.count("def test_"))
    else:
        logger = logging.getLogger("hostapi")
        level = logger.level
        try:
            exec(compile(code, f"{readme} block {index}", "exec"), {"__name__": "__main__"})
        finally:
            logger.setLevel(level)
        if "print(" in code:
            assert capsys.readouterr().out.strip(), "the example prints what it did"
