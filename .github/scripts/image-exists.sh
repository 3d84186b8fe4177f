#!/usr/bin/env bash
# Print `exists=true` when the ECR repository already holds an image with this tag, else
# `exists=false`; fail on any other error (no access, no repository). Tags are immutable, so a
# re-run of a deploy must reuse the image its first attempt pushed instead of building again.
set -euo pipefail

repository="${1:?usage: image-exists.sh REPOSITORY TAG}"
tag="${2:?usage: image-exists.sh REPOSITORY TAG}"

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
if aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" \
    --query 'imageDetails[0].imageDigest' --output text > /dev/null 2> "$errors"; then
    echo "exists=true"
elif grep -q ImageNotFoundException "$errors"; then
    echo "exists=false"
else
    cat "$errors" >&2
    exit 1
fi
