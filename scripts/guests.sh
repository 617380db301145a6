# Sourced by the build scripts: the guests and the WIT world each is built for.
# shellcheck shell=bash disable=SC2034
declare -A WORLD=([blinky]=blinky [button]=button-led [uart-echo]=uart-echo [trap]=blinky [compute]=compute
                  [servo]=servo-sweep)
ALL_GUESTS=(blinky button uart-echo trap compute servo)
