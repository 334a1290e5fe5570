#!/bin/bash
set -euo pipefail
aws s3 sync "s3://${ref:buckets.images.bucket}/seed" "${HOME}/seed"
