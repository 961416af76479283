"""`python app.py`: run the dashboard on the embedded default (SQLite file, demo data)."""

from app.cli import main

if __name__ == "__main__":
    main(["serve"])
