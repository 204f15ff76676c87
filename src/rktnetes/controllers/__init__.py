"""rktnetes.controllers."""
