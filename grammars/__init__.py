"""The built-in grammars; installed as ``arithseq.grammars`` so an installed copy finds them."""
