"""rktnetes.client."""
