"""rktnetes.store: the cluster's revision-centric key-value store (protocol, SQLite and etcd backends).

``from rktnetes import store`` then ``s = await store.open_store(url)`` with
``sqlite:///abs/path/state.db[?synchronous=FULL|NORMAL]`` (embedded, the default; FULL unless asked) or
``etcd://host:port[,host:port...][?cacert=CA&cert=CERT&key=KEY]`` (a real etcd 3.4+). The calls are in
``store.protocol.Store``, the errors in ``store.errors``; ``store.compacting`` keeps history bounded.
"""

from rktnetes.store.backends import open_store, register

__all__ = ["open_store", "register"]
