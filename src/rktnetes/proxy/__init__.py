"""rktnetes.proxy."""
