#!/usr/bin/env bash
# Train the four shipped VAEs one after another (resumable: re-run to continue).
set -e
cd "$(dirname "$0")/.."
for m in ${MODELS:-s2 i beta ar}; do
  .venv/bin/python -m bridge.cli train vae --model "$m" --epochs "${EPOCHS:-6}" --threads "${THREADS:-1}"
done
