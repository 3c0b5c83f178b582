#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image: pinrig's own setup (apt packages, npm ci, the guest
# image). pinrig's setup is written for Debian bookworm; the image must be one it can run on.
set -euo pipefail
cd "$(dirname "$0")/pinrig"
bash harness/setup.sh
