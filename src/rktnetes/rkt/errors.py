"""The base of every error the runtime reports to a user.

A ``RktError`` carries one line of text; the CLI prints it on stderr and exits with 254, as rkt did.
Subpackages define their sentinel errors in their own ``errors.py`` as subclasses of ``RktError``.
"""

EXIT_ERROR = 254


class RktError(Exception):
    """An error with a one-line message meant for the user."""

    exit_code: int = EXIT_ERROR


class UsageError(RktError):
    """The command line itself is wrong (unknown flag, missing argument, conflicting flags)."""
