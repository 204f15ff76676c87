"""``rktnetes apiserver``: run the Kubernetes API server standalone and write an admin kubeconfig."""

from __future__ import annotations

import argparse
from pathlib import Path

from rktnetes.api.errors import APIError
from rktnetes.apiserver import server
from rktnetes.apiserver.errors import ApiServerError
from rktnetes.cluster.cli import ClusterError
from rktnetes.store.errors import StoreError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("apiserver", help="run the Kubernetes API server")
    p.add_argument("--store", help="store URL: sqlite:///path/state.db[?synchronous=FULL|NORMAL] (default, "
                                   "under --data-dir) or etcd://host:port. SQLite defaults to synchronous=FULL: "
                                   "like etcd, every acknowledged write is fsynced (group commit); NORMAL is "
                                   "faster but may lose the last writes on power loss")
    p.add_argument("--data-dir", type=Path, default=Path("/var/lib/rktnetes/apiserver"),
                   help="PKI, tokens and the default SQLite store")
    p.add_argument("--bind-address", default="127.0.0.1", help="address to serve HTTPS on")
    p.add_argument("--port", type=int, default=6443, help="HTTPS port (0: any free port)")
    p.add_argument("--advertise-address", help="the IP pods reach this server on, published as the endpoints of "
                                               "the kubernetes Service (default: the bind address)")
    p.add_argument("--insecure-port", type=int, help="also serve plain HTTP without authentication on "
                                                     "127.0.0.1:PORT")
    p.add_argument("--kubeconfig", type=Path, help="where to write the admin kubeconfig "
                                                   "(default DATA_DIR/admin.kubeconfig)")
    p.add_argument("--tls-san", action="append", default=[], help="extra subject alternative name (repeatable)")
    p.add_argument("--token-auth-file", type=Path, help='static bearer tokens: token,user,uid,"groups" per line')
    p.add_argument("--compaction-interval", type=float, default=300.0,
                   help="seconds between compactions of the store history (0: never)")
    p.add_argument("--event-ttl", type=int, default=3600, help="seconds an Event is kept after its last write")
    p.add_argument("--bookmark-interval", type=float, default=30.0, help="seconds between watch bookmarks")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = server.Config(data_dir=args.data_dir.resolve(), store_url=args.store, host=args.bind_address,
                           port=args.port, insecure_port=args.insecure_port, kubeconfig=args.kubeconfig,
                           sans=tuple(args.tls_san), token_file=args.token_auth_file,
                           compaction_interval=args.compaction_interval, bookmark_interval=args.bookmark_interval,
                           advertise_address=args.advertise_address, event_ttl=args.event_ttl)
    try:
        return server.run(config)
    except (ApiServerError, StoreError, APIError, OSError) as exc:
        raise ClusterError(str(exc)) from None
