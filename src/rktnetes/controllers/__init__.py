"""rktnetes.controllers: the controller manager's controllers, one module each, all level-based.

    controller.Controller      the shared shape: an informer-fed WorkQueue and ``reconcile(key) -> Result``
    replicaset                 ReplicaSet and ReplicationController (one machinery, two resources)
    deployment + rollout       Deployments (pure rollout arithmetic in ``rollout``)
    garbagecollector           ownerReferences: background, foreground and orphan propagation
    manager                    which controllers run, on which shared InformerFactory, under leader election
    podstate, templates, expectations, claiming   pure helpers the controllers share

Controllers import only ``rktnetes.client`` and ``rktnetes.api``: they reach cluster state through the API.
"""
