"""A Kubernetes pod as a pod sandbox and its containers as apps added to it (``rkt app``): pure functions.

The sandbox gets what belongs to the pod (hostname, network, DNS, volumes, the kubelet's annotations); each
container becomes ``rkt app add`` words, as ``translating`` writes them for ``rkt prepare``, with its restart
count as an app annotation, so a container is restarted alone and the pod keeps its IP and namespaces.
"""

from __future__ import annotations

from typing import Any

from rktnetes.kubelet import errors, resolving, translating

Obj = dict[str, Any]


def sandbox_args(pod: Obj, plan: translating.Plan) -> list[str]:
    """The arguments of ``rkt app sandbox`` for ``pod`` (after rkt's global flags)."""
    words = [f"--hostname={translating.hostname(pod)}", f"--net={translating.net_word(pod, plan)}",
             *translating.volume_flags(plan)]
    words += resolving.dns_words(pod, plan.cluster_dns, plan.cluster_domain)
    return words + [f"--annotation={k}={v}" for k, v in translating.annotations(pod, 0).items()]


def app_words(pod: Obj, container: Obj, plan: translating.Plan, restarts: int) -> list[str]:
    """``IMAGE [--annotation=…] [app flags] [-- args ---]`` of one container (its name goes in ``--app``)."""
    words = translating.app_words(pod, container, plan)
    name_flag = f"--name={container['name']}"
    if name_flag not in words:
        raise errors.BadPod(f"container {container['name']}: no app name in its rkt words")
    words.remove(name_flag)
    return [words[0], f"--annotation={translating.RESTARTS}={restarts}", *words[1:]]


def pull_policy(container: Obj, plan: translating.Plan) -> str:
    """``rkt app add``'s pull policy: the container's own (``new`` once the kubelet has pulled the image)."""
    return "new" if plan.pulled else translating.pull_policy([container])
