"""rktnetes.kubelet."""
