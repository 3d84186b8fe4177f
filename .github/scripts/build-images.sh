#!/usr/bin/env bash
# Build and push every image the stack runs, tagged with the commit, and print one immutable
# reference per service ("SERVICE=REGISTRY/REPOSITORY@sha256:...") for `golive release --image`.
#
# GOLIVE_IMAGES (repository variable) maps services to their build:
#   {"api": {"context": "api", "repository": "auction-api"},
#    "web": {"context": ".", "dockerfile": "web/Dockerfile", "repository": "auction-web"}}
# REGISTRY is the ECR registry host (aws-actions/amazon-ecr-login's `registry` output).
set -euo pipefail

tag="${1:?usage: build-images.sh TAG}"
: "${GOLIVE_IMAGES:?set the GOLIVE_IMAGES repository variable (see the comment above)}"
: "${REGISTRY:?REGISTRY must be the ECR registry host}"

for service in $(jq -r 'keys[]' <<<"$GOLIVE_IMAGES"); do
    context=$(jq -r --arg s "$service" '.[$s].context // "."' <<<"$GOLIVE_IMAGES")
    dockerfile=$(jq -r --arg s "$service" '.[$s].dockerfile // ""' <<<"$GOLIVE_IMAGES")
    repository=$(jq -r --arg s "$service" '.[$s].repository' <<<"$GOLIVE_IMAGES")
    image="$REGISTRY/$repository:$tag"
    args=(--pull --tag "$image" --label "org.opencontainers.image.revision=$tag")
    if [ -n "$dockerfile" ]; then
        args+=(--file "$dockerfile")
    fi
    docker build "${args[@]}" "$context" >&2
    docker push "$image" >&2
    # The digest the registry stored: the release pins it, so a moved tag changes nothing.
    reference=$(docker inspect --format '{{index .RepoDigests 0}}' "$image")
    echo "$service=$reference"
done
