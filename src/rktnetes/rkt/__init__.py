"""rkt: a daemonless, pod-native container runtime with the command line of CoreOS rkt.

Imports nothing of the cluster. ``cli`` holds one thin module per subcommand; the library does the work
(``images``, ``pods``, ``stage1``, ``networking``), and the kubelet calls the same library.
"""
