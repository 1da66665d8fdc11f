#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder's image. The zip
# made by scripts/gradescope-autograder holds a vmlab built with the Swift
# runtime linked in, so the only library it needs is libedit's.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq libedit2 >/dev/null
chmod +x /autograder/source/vmlab /autograder/source/run_autograder
cp /autograder/source/run_autograder /autograder/run_autograder
