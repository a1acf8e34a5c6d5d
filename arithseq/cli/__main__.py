"""``python -m arithseq.cli``: the same as the ``arithseq`` command."""

from . import main

main()
