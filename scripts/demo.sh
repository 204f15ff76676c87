#!/bin/bash
# `make run`: the runtime's main job until the cluster exists. Filled in by the image work.
set -euo pipefail
rkt version
