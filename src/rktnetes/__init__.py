"""rktnetes: Kubernetes on rkt.

Two halves in one package: ``rktnetes.rkt`` (the pod-native container runtime) and the cluster
(``api``, ``store``, ``apiserver``, ``client``, ``controllers``, ``scheduler``, ``kubelet``, ``proxy``,
``dns``, ``cluster``). The layering is enforced by import-linter contracts in ``pyproject.toml``.
"""

__version__ = "0.1.0"
