"""rktnetes.cluster."""
