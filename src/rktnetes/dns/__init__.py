"""rktnetes.dns."""
