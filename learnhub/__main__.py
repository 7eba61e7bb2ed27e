"""`python -m learnhub` is the `learnhub` command."""

from learnhub.cli import main

main()
