"""rktnetes.store: the cluster's revision-centric key-value store (protocol, SQLite and etcd backends).

Use it as ``from rktnetes import store`` then ``s = await store.open_store(url)``; types live in
``store.protocol``, errors in ``store.errors``.
"""

from rktnetes.store.backends import open_store, register

__all__ = ["open_store", "register"]
