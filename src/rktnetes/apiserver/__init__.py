"""rktnetes.apiserver."""
