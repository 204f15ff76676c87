"""rktnetes.scheduler: assigns each unscheduled pod to a node, as kube-scheduler does, through the API only.

The pieces, one module each::

    scheduling.Scheduler(client, clock=..., name="default-scheduler").run(workers=8)
        informers on pods and nodes; a WorkQueue of pod keys; schedule(key) places one pod and binds it
    serving.serve(client, leader_elect=True)     # under the kube-system/kube-scheduler Lease (the CLI's way)
    algorithm.place(pod, snapshot) -> node name, or errors.FitError("0/3 nodes are available: ...")
    filtering     the filters in kube-scheduler's order: cordon, Ready, taints, nodeSelector/affinity, host ports,
                  cpu/memory/pod count, topology spread (spreading), pod affinity/anti-affinity (podaffinity)
    scoring       least allocated + balanced + preferred node affinity + preferred pod affinity + PreferNoSchedule
    tracking.NodeTracker   the NodeInfo per node, kept up to date from informer events and assumptions
    assuming.AssumeCache   pods placed but not yet seen bound count on their node until the informer confirms
    unschedulable          pods that fit nowhere wait for a cluster change, with 1 s → 10 s backoff
    reporting              the Binding; PodScheduled=False/Unschedulable condition; node_fit_view
    eventing.EventSink     Scheduled/FailedScheduling Events written by one background writer
    quantities             cpu/memory quantities and a pod's requests; matching: selectors and tolerations

``rktnetes scheduler --kubeconfig PATH`` runs it standalone (cluster/commands/scheduler.py).
"""
