#!/usr/bin/env bash
# Generates the Python package from the committed spec into clients/python/build/
# (openapi-python-client, pinned in requirements.txt): typed models of every schema
# (attrs classes, the nodes of a body's blocks among them) and a function per
# operation, over httpx. Install it with `pip install clients/python/build/folio-client`.
# usage: clients/python/build.sh   (after pip install -r clients/python/requirements.txt)
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
openapi-python-client generate --path ../../openapi/openapi.json --config config.yaml \
    --meta pdm --output-path build/folio-client --overwrite > build/generate.log 2>&1 \
    || { cat build/generate.log; exit 1; }
# The generator warns only of responses it cannot type (files, XML); anything
# else it could not read is a fault in the spec.
if grep -E "Unable to|Could not|Invalid" build/generate.log; then
    echo "openapi-python-client could not read part of the spec (build/generate.log)"
    exit 1
fi
echo "generated build/folio-client"
