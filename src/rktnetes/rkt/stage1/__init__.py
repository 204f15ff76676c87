"""rktnetes.rkt.stage1."""
