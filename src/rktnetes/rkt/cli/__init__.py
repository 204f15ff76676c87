"""The ``rkt`` command line: one thin module per subcommand.

Every module here (other than ``main`` and ``common``) that defines ``register(subparsers, parents)`` is
picked up by ``main``; ``register`` adds its subcommand and sets ``func(args) -> int`` as the default.
"""
