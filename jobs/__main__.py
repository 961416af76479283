"""`python -m jobs`: the scheduler as a dedicated process (same as `stratwatch jobs serve`).

An entry point, like app.py: it borrows the app's settings and write path, which is why
import-linter lets this one module import from app/.
"""

from app.cli import main

main(["jobs", "serve"])
