#!/usr/bin/env bash
# Refuses ELF files built for another architecture than the ONNX Runtime
# platform they ship with:
#   check-elf-arch.sh <linux-x64|linux-aarch64> FILE...
# A native executable takes the architecture of the machine (or container) that
# built it, while its ONNX Runtime libraries are picked by name; a mismatch
# only shows on Lambda or in the container as "cannot open shared object" or
# "exec format error". Reads e_machine (bytes 18-19 of the ELF header) with od,
# so it runs in minimal images too.
set -euo pipefail
platform="$1"; shift
case "${platform}" in
  linux-x64) want=003e name=x86-64 ;;
  linux-aarch64) want=00b7 name=aarch64 ;;
  *) echo "usage: $0 <linux-x64|linux-aarch64> FILE..., got '${platform}'" >&2; exit 2 ;;
esac
status=0
for f in "$@"; do
  magic="$(od -An -tx1 -N4 "${f}" | tr -d ' \n')"
  if [[ "${magic}" != 7f454c46 ]]; then
    echo "${f}: not an ELF file" >&2; status=1; continue
  fi
  # e_machine is little-endian in both supported targets (EI_DATA = 1).
  got="$(od -An -tx1 -j18 -N2 "${f}" | awk '{print $2 $1}')"
  if [[ "${got}" != "${want}" ]]; then
    echo "${f}: ELF machine 0x${got}, expected ${name} (0x${want}) for ${platform}" >&2
    status=1
  fi
done
exit "${status}"
