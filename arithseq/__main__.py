"""``python -m arithseq``: the same as the ``arithseq`` command (where its script is not on PATH)."""

from .cli import main

main()
