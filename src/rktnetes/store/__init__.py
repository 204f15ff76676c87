"""rktnetes.store."""
