"""``python -m lockstep``: the same command line as the ``lockstep`` script."""

from lockstep.cli import main

if __name__ == "__main__":
    main()
