"""Sentinel errors of pod networking; each is one line for the user and makes rkt exit 254."""

from rktnetes.rkt.errors import RktError


class NetworkError(RktError):
    """Base of every networking error."""


class NetSpecError(NetworkError):
    """A malformed --net, --dns*, --hosts-entry or --port value."""


class UnknownNetworkError(NetworkError):
    """--net names a network that is neither built in nor in <local-config>/net.d."""


class NetConfError(NetworkError):
    """A file in net.d is not a usable CNI network configuration."""


class PluginError(NetworkError):
    """A CNI plugin is missing or answered with an error."""


class PortError(NetworkError):
    """--port names a port the image does not declare, or cannot be published on the chosen networks."""
