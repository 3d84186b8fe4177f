#!/usr/bin/env bash
# Resolve an image tag (the commit staging released) or a digest to one immutable reference per
# service ("SERVICE=REGISTRY/REPOSITORY@sha256:..."), so prod runs exactly what staging ran.
# Fails if any service has no image with that tag: nothing is released half-way.
set -euo pipefail

ref="${1:?usage: resolve-images.sh TAG|sha256:DIGEST}"
: "${GOLIVE_IMAGES:?set the GOLIVE_IMAGES repository variable}"
: "${REGISTRY:?REGISTRY must be the ECR registry host}"

if [[ "$ref" == sha256:* ]]; then
    selector="imageDigest=$ref"
else
    selector="imageTag=$ref"
fi
for service in $(jq -r 'keys[]' <<<"$GOLIVE_IMAGES"); do
    repository=$(jq -r --arg s "$service" '.[$s].repository' <<<"$GOLIVE_IMAGES")
    digest=$(aws ecr describe-images --repository-name "$repository" --image-ids "$selector" \
        --query 'imageDetails[0].imageDigest' --output text)
    echo "$service=$REGISTRY/$repository@$digest"
done
