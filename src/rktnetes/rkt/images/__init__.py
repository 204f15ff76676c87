"""Images: the store, the formats, and fetching.

- ``store.ImageStore``: the content-addressed store under ``<dir>/cas`` (SQLite index, ACI blobs, rendered
  trees used as overlay lower dirs); ``import_aci`` for ACIs, ``add_image`` for OCI/docker trees.
- ``aci`` / ``tarsafe`` / ``manifest`` / ``app``: reading (checked) and writing (deterministic) appc ACIs.
- ``fetching.fetch``: the one dispatcher (files, ``docker://``, ``oci:``, appc names and URLs) used by
  ``rkt fetch`` and by pods; ``docker``, ``layouts``/``oci``, ``discovery`` and ``trust`` do the formats.
- ``listing``, ``exporting``, ``gc``, ``config``: what ``rkt image …`` and ``rkt config`` print and do.
"""
