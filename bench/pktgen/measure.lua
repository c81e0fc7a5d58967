-- SPDX-License-Identifier: BSD-3-Clause
-- vpcgw bench: after a profile (*.pkt) is loaded, start port 0, wait 3 s,
-- average the receive rate of port 1 (what vpcgw forwarded) over 10 s,
-- print it and stop. Usage at the Pktgen prompt: script bench/pktgen/measure.lua
-- Not run on the development machines (no NIC there).
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;"
require "Pktgen"

local warmup_ms = 3000
local window_ms = 10000

local function rx_packets(port)
	local s = pktgen.portStats(tostring(port), "port")
	return s[port].ipackets
end

local function tx_packets(port)
	local s = pktgen.portStats(tostring(port), "port")
	return s[port].opackets
end

pktgen.start("0")
pktgen.delay(warmup_ms)
local rx0, tx0 = rx_packets(1), tx_packets(0)
pktgen.delay(window_ms)
local rx1, tx1 = rx_packets(1), tx_packets(0)
pktgen.stop("0")
local s = window_ms / 1000
printf("vpcgw bench: sent %.3f Mpps, forwarded %.3f Mpps (%.1f %% of sent)\n",
	(tx1 - tx0) / s / 1e6, (rx1 - rx0) / s / 1e6,
	100 * (rx1 - rx0) / math.max(tx1 - tx0, 1))
