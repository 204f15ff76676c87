"""The ``rkt`` console script's entry point, apart from ``main`` so that the cyclic collector is off before
the parser's imports load (argparse, re, enum, pathlib, json): every object they make lives as long as the
command, and the collector's passes over them cost each ``rkt`` command 1.5-3 ms of CPU (measured on
``rkt version``). ``main.entrypoint`` does the rest: run the command, leave without finalising.
"""

from __future__ import annotations

import gc


def entrypoint() -> None:
    gc.disable()
    from rktnetes.rkt.cli import main  # loaded only now, with the collector off (see above)

    main.entrypoint()
