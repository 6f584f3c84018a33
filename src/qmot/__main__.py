"""``python -m qmot`` runs the command-line tool."""

from qmot.cli import main

if __name__ == "__main__":
    main()
