"""Runs the sandbox extensions' unit tests, and fails when a test file contributes none.

`python -m unittest discover` exits 0 on Python 3.11 when it finds no test at all, so a test
file renamed out of the `test*.py` pattern, or one whose every method lost its `test_` prefix,
would silently run nothing. Here every `tests/*.py` file must hold at least one test.
"""

import sys
import unittest
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    suite = unittest.TestSuite()
    empty = []
    for file in sorted((here / "tests").glob("*.py")):
        if file.name.startswith("_"):
            continue
        found = unittest.TestLoader().discover(str(here / "tests"), pattern=file.name)
        if found.countTestCases() == 0:
            empty.append(file.name)
        suite.addTests(found)
    if empty:
        print(f"test files with no test: {', '.join(empty)}", file=sys.stderr)
        return 1
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
