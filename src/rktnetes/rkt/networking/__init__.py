"""rktnetes.rkt.networking."""
