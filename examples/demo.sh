#!/bin/sh
# Install, build, and run vpcgw on examples/demo.cfg: net_pcap ports replaying
# example traffic for every service; prints the counters and leaves the output
# captures (vpc-out.pcap, inet-out.pcap, app-out.pcap) and stats.json in demo-out/.
set -eu
cd "$(dirname "$0")/.."
./tools/setup.sh
rm -rf demo-out && mkdir -p demo-out
/usr/bin/python3 examples/demo_traffic.py demo-out
cd demo-out
../build/vpcgw -c ../examples/demo.cfg --clock packet --exit-idle-ms 500 --stats-json stats.json
echo
for f in vpc-out.pcap inet-out.pcap app-out.pcap; do
	echo "== $f: $(tshark -r "$f" 2>/dev/null | wc -l) packets"
	tshark -r "$f" 2>/dev/null | head -n 12
done
echo
echo "counters: demo-out/stats.json; captures: demo-out/*-out.pcap"
