"""Where each resource lives on the API server: ``/api/v1/namespaces/NS/pods/NAME/status`` and friends.

Resources are named as kubectl names them (``pods``, ``po``, ``Pod``, ``deployments.apps``) or given as an
``api.resources.Resource``; both resolve through the one resource table.
"""

from __future__ import annotations

from urllib.parse import quote

from rktnetes.api import resources
from rktnetes.api.resources import Resource
from rktnetes.client import errors

ResourceRef = Resource | str


def _matches(resource: Resource, name: str) -> bool:
    return name in (resource.plural, resource.singular, resource.kind.lower()) or name in resource.short_names


def resolve(ref: ResourceRef) -> Resource:
    """The table entry for ``ref``; a name with a dot is qualified by its group (``deployments.apps``)."""
    if isinstance(ref, Resource):
        return ref
    name, _, group = ref.lower().partition(".")
    found = [r for r in resources.TABLE if _matches(r, name) and (not group or r.group == group)]
    if not found:
        raise errors.ClientError(f'the server doesn\'t have a resource type "{ref}"')
    return found[0]


def collection(resource: Resource, namespace: str | None) -> str:
    """The collection URL path: namespace-scoped when ``resource`` is namespaced and ``namespace`` is given."""
    root = f"/apis/{resource.group}/{resource.version}" if resource.group else f"/api/{resource.version}"
    if resource.namespaced and namespace:
        root += f"/namespaces/{quote(namespace, safe='')}"
    return f"{root}/{resource.plural}"


def item(resource: Resource, namespace: str | None, name: str, subresource: str | None = None) -> str:
    """One object's URL path (or one of its subresources')."""
    if not name:
        raise errors.ClientError(f"a {resource.singular} needs a name")
    path = f"{collection(resource, namespace)}/{quote(name, safe='')}"
    return f"{path}/{subresource}" if subresource else path
