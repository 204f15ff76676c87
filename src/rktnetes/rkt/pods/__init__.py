"""rktnetes.rkt.pods."""
