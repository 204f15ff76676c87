"""rktnetes.api."""
