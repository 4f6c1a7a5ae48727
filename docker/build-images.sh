#!/usr/bin/env bash
# Builds the five service images: the applications with Maven, then each image with the container engine.
#
#   docker/build-images.sh [--native] [--engine docker|podman] [--registry HOST[:PORT]] [--tag TAG] [--push]
#
# Images are named [REGISTRY/]arbiter/SERVICE:TAG (TAG-native with --native), as the Helm chart expects
# (image.registry, image.repository=arbiter, image.tag, image.flavor). TAG defaults to the chart's appVersion.
# --native needs GraalVM or Mandrel for Java 17 on the PATH (or set -Dquarkus.native.container-build=true in MAVEN_ARGS
# to build inside a builder image).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
services=(feature-service model-service decision-service optimizer-service rule-service)
engine=docker
registry=""
tag="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/helm/arbiter/Chart.yaml")"
native=false
push=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --native) native=true ;;
    --engine) engine="$2"; shift ;;
    --registry) registry="$2/"; shift ;;
    --tag) tag="$2"; shift ;;
    --push) push=true ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "build-images.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
command -v "$engine" >/dev/null || { echo "build-images.sh: no '$engine' on the PATH; install one or pass --engine" >&2; exit 2; }

list=$(IFS=,; echo "${services[*]}")
if $native; then
  (cd "$root" && mvn -B package -DskipTests -Dquarkus.native.enabled=true -pl "$list" -am ${MAVEN_ARGS:-})
  dockerfile=Dockerfile.native
  tag="$tag-native"
else
  (cd "$root" && mvn -B package -DskipTests -pl "$list" -am ${MAVEN_ARGS:-})
  dockerfile=Dockerfile.jvm
fi
for s in "${services[@]}"; do
  image="${registry}arbiter/$s:$tag"
  "$engine" build -f "$root/$s/src/main/docker/$dockerfile" -t "$image" "$root/$s"
  if $push; then "$engine" push "$image"; fi
  echo "built $image"
done
