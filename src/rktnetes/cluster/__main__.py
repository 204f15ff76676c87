"""``python -m rktnetes.cluster``: the ``rktnetes`` command, as the local cluster starts its components."""

from rktnetes.cluster.cli import entrypoint

entrypoint()
