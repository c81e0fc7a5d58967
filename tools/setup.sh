#!/bin/sh
# Install what vpcgw needs from Debian 12's archive (as root) and build it.
# Used by examples/demo.sh, tests/run.sh and .ci/run.
set -eu
cd "$(dirname "$0")/.."
# cmake and g++: e2e-gwlbtun builds AWS's appliance software (tests/e2e/README.md)
# python3-prometheus-client: tests/ctl/test_names.py parses the Prometheus exposition
# debhelper dpkg-dev fakeroot: tests/package builds the .deb; groff-base: the man
# pages are rendered by tests/unit/test_install.py; frr iptables: e2e-scaleout (FRR bgpd on
# every node and the router, CONNMARK on the targets)
PKGS="build-essential pkg-config meson ninja-build dpdk dpdk-dev libdpdk-dev libconfig-dev
      libcmocka-dev python3-scapy python3-prometheus-client tshark tcpreplay iproute2 iputils-ping socat
      netcat-openbsd curl clang libclang-rt-14-dev valgrind cmake g++
      debhelper dpkg-dev fakeroot groff-base frr iptables"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ ! -f build/build.ninja ]; then
	meson setup build --werror
fi
ninja -C build
