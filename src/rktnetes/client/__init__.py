"""rktnetes.client: how every component (controllers, scheduler, kubelet, proxy, DNS) reaches cluster state.

The pieces, one module each (import modules, not names)::

    rest.Client(kubeconfig.load_kubeconfig(path, context))   # or rest.Client.from_kubeconfig(path)
        .get/list/list_all/create/update/update_status/patch/delete(resource, ...) -> dict
        .watch(resource, namespace, resource_version=..., timeout_seconds=...) -> async with / async for
    errors          NotFound, AlreadyExists, Conflict, Invalid, Expired (410), ServerError, TransportError, ...
    informing.Informer(client, "pods", namespace, indexers={...}).start(); .cache; .add_handlers(add, upd, del)
    sharing.InformerFactory(client).informer("pods")      # one informer per collection, shared
    caching         key_of(obj) -> "ns/name", by_field("spec.nodeName"), by_owner_uid, mutable(obj)
    queueing.WorkQueue(clock)   running.run_workers(queue, reconcile, n) with running.Result(requeue_after=s)
    clock.LoopClock / clock.FakeClock (advance(); autojump)   ratelimiting (client-go's default limiter)
    recording.EventRecorder   leasing.LeaderElector   retrying.retry_on_conflict   incluster.load_config
    waiting.wait_for(client, "nodes", name, condition)    owners.owner_reference / controller_of
    queuemetrics.QueueMetrics.named("replicaset")         # WorkQueue(metrics=...): workqueue_* metrics
    interface.Api             # the Protocol both clients satisfy; type components' `client` with it
    fake.FakeClient(*objects) # in-memory API with the same methods, records .actions, for unit tests
                              # (set RKTNETES_CACHE_MUTATION_DETECTOR=1 and call cache.verify() in tests)

A controller::

    factory = sharing.InformerFactory(client)
    pods = factory.informer("pods", indexers={"owner": caching.by_owner_uid})
    rsets = factory.informer("replicasets.apps")
    queue = queueing.WorkQueue()
    rsets.add_handlers(lambda o: queue.add(caching.key_of(o)), lambda old, new: queue.add(caching.key_of(new)),
                       lambda o: queue.add(caching.key_of(o)))

    async def reconcile(key: str) -> running.Result | None:
        rs = rsets.cache.get(key)          # read from the cache, never mutate it (caching.mutable() first)
        if rs is None:
            return None
        ...                                # write through client; raise to retry with backoff

    factory.start(); await factory.wait_for_sync(); await running.run_workers(queue, reconcile, 2)
"""
