"""rktnetes.rkt.images."""
