"""Subcommands of the ``rktnetes`` CLI, one module each, discovered like the ``rkt`` ones."""
