"""What components need of an API client, as a Protocol: ``rest.Client`` and ``fake.FakeClient`` both satisfy it,
so controllers, informers, the leader elector and the event recorder take either (the fake in unit tests)."""

from __future__ import annotations

from typing import Any, Protocol

from rktnetes.client.urls import ResourceRef

Obj = dict[str, Any]


class WatchStream(Protocol):
    """``async with`` opens it, ``async for kind, obj`` reads it; ``resource_version`` follows the events."""

    resource_version: str

    async def __aenter__(self) -> WatchStream: ...

    async def __aexit__(self, *exc: object) -> None: ...

    def __aiter__(self) -> WatchStream: ...

    async def __anext__(self) -> tuple[str, Obj]: ...


class Api(Protocol):
    async def get(self, resource: ResourceRef, name: str, namespace: str | None = None,
                  subresource: str | None = None) -> Obj: ...

    async def list(self, resource: ResourceRef, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None) -> Obj: ...

    async def list_all(self, resource: ResourceRef, namespace: str | None = None, page: int = 500,
                       **selectors: str | None) -> tuple[list[Obj], str]: ...

    async def create(self, resource: ResourceRef, obj: Obj, namespace: str | None = None) -> Obj: ...

    async def create_subresource(self, resource: ResourceRef, name: str, subresource: str, body: Obj,
                                 namespace: str | None = None) -> Obj: ...

    async def update(self, resource: ResourceRef, obj: Obj, namespace: str | None = None,
                     subresource: str | None = None) -> Obj: ...

    async def update_status(self, resource: ResourceRef, obj: Obj, namespace: str | None = None) -> Obj: ...

    async def patch(self, resource: ResourceRef, name: str, patch: Any, patch_type: str = "merge",
                    namespace: str | None = None, subresource: str | None = None,
                    field_manager: str | None = None, force: bool | None = None) -> Obj: ...

    async def delete(self, resource: ResourceRef, name: str, namespace: str | None = None) -> Obj: ...

    async def delete_collection(self, resource: ResourceRef, namespace: str | None = None, *,
                                label_selector: str | None = None, field_selector: str | None = None) -> Obj: ...

    def watch(self, resource: ResourceRef, namespace: str | None = None, *, resource_version: str | None = None,
              label_selector: str | None = None, field_selector: str | None = None,
              timeout_seconds: int | None = None, bookmarks: bool = True) -> WatchStream: ...
