"""rktnetes.scheduler."""
