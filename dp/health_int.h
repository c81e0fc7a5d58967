/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the health-check engine's state (dp/health.c) and its wire
 * (dp/health_wire.c: the probes and the RSTs, IPv4 and IPv6).
 */
#ifndef VPCGW_DP_HEALTH_INT_H
#define VPCGW_DP_HEALTH_INT_H

#include <stdbool.h>
#include <stdint.h>

/* One probe to send (host order; the IPv6 addresses as they go on the wire). */
struct hc_probe {
	bool v6;
	uint16_t out_port;
	uint32_t src, dst;          /* IPv4 */
	const uint8_t *src6, *dst6; /* IPv6 */
	uint16_t sport, dport;
	uint32_t seq;
};

/* Control thread: build and send the SYN of p. false: no mbuf (counted). */
bool hc_wire_probe(const struct hc_probe *p, uint64_t now);

/* The key a probe's answer is recognised by: the target's address (IPv6:
 * dp_health_fold6 and bit 62) and its health-check port, host order. */
static inline uint64_t
hc_key(uint32_t addr, uint16_t port)
{
	return ((uint64_t)addr << 16) | port;
}
#define HC_KEY_V6 (1ULL << 62)

/*
 * Worker: a TCP segment from key (hc_key of its source) to probe source port
 * dport with flags and ack (host order). true when it answers the probe
 * outstanding on that port (recorded); *synack then says it was a SYN-ACK,
 * which the caller resets.
 */
bool hc_answer(uint16_t dport, uint64_t key, uint8_t flags, uint32_t ack, bool *synack);

#endif /* VPCGW_DP_HEALTH_INT_H */
