"""rktnetes.controllers: the controller manager's controllers, one module each, all level-based.

    controller.Controller        the shared shape: informers feed a WorkQueue; ``reconcile(key) -> Result``
    replicaset                   ReplicaSet and ReplicationController (one machinery, two resources)
    deployment                   Deployments; pure parts in ``rollout``, ``strategies``, ``deploystatus``
    garbagecollector             ownerReferences: background, foreground and orphan; decisions in ``ownership``
    endpoints, endpointslice     a Service's Endpoints / EndpointSlices; pure parts in ``endpointbuilding``
    job, cronjob                 Jobs and CronJobs; pure parts in ``jobstate``, ``jobindexes``, ``schedules``
    ttlafterfinished             finished Jobs deleted ``ttlSecondsAfterFinished`` later
    daemonset                    a pod per eligible node; pure parts in ``daemonplacement``
    statefulset                  ordered pods with stable identities; pure parts in ``statefulpods``
    nodelifecycle                node heartbeats, taints and NoExecute evictions
    podgc                        pods of vanished nodes force-deleted; finished pods beyond a threshold
    manager                      which controllers run, on one shared InformerFactory, under leader election
    serving                      the manager's /healthz and /metrics
    templates, podstate, claiming, expectations   what the workload controllers share

Namespace deletion is the API server's (``apiserver.namespaces``), so no controller repeats it. Controllers
reach cluster state only through ``rktnetes.client`` and build objects with ``rktnetes.api`` helpers.
"""
