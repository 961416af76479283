"""`python -m app`: the stratwatch command line."""

from app.cli import main

main()
